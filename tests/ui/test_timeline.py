"""The timeline's bars are reconstructed from when steps finished: a lane's step starts
when its lane's previous step ended, or when the lane started, or when the step before it
anywhere ended; steps of the run itself start when the step before them ended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from intelligent_office.api.ui.timeline import build_timeline, lane_of, lane_of_entry
from intelligent_office.store import JournalEntry

START = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def entry(key: str, second: float, activity: str = "office.plan", ok: bool = True) -> JournalEntry:
    return JournalEntry(
        key=key,
        activity=activity,
        ok=ok,
        output={"n": second},
        error=None if ok else "boom",
        recorded_at=START + timedelta(seconds=second),
    )


def test_lanes_are_subtasks_nodes_or_the_run() -> None:
    assert lane_of("subtask/s2/iter/1/plan/attempt/1") == "subtask s2"
    assert lane_of("dag/node/research/attempt/1") == "research"
    assert lane_of("synthesize/attempt/1") == "run"


def test_an_agent_call_is_on_its_agents_lane_whatever_the_pattern_named_the_step() -> None:
    call = JournalEntry(
        key="pipeline/stage/1/round/1/node/stage/attempt/1",
        activity="agentkit.call_agent",
        ok=True,
        output={"agent": "write", "text": "done", "model": "scripted"},
        recorded_at=START,
    )
    assert lane_of_entry(call) == "write"
    failed = JournalEntry(key=call.key, activity=call.activity, ok=False, recorded_at=START)
    assert lane_of_entry(failed) == "stage"  # no answer: the key's node


def test_bars_start_where_the_work_before_them_ended() -> None:
    journal = [
        entry("decompose/attempt/1", 1),
        entry("subtask/s1/started_at", 1.5, activity="now"),
        entry("subtask/s1/iter/1/plan/attempt/1", 2),
        entry("subtask/s2/iter/1/plan/attempt/1", 4),  # s2 waited for s1: no start marker
        entry("subtask/s1/iter/1/review/attempt/1", 5, ok=False),
        entry("signal/approval/x", 8, activity="signal"),
        entry("synthesize/attempt/1", 9),
    ]
    timeline = build_timeline(journal, START)

    spans = {s.key: (round(s.seconds, 3), s.lane) for s in timeline.steps}
    assert spans == {
        "decompose": (1.0, "run"),
        "subtask/s1/iter/1/plan": (0.5, "subtask s1"),
        "subtask/s2/iter/1/plan": (2.0, "subtask s2"),
        "subtask/s1/iter/1/review": (3.0, "subtask s1"),
        "signal/approval/x": (3.0, "run"),
        "synthesize": (1.0, "run"),
    }
    assert [s.number for s in timeline.steps] == [1, 2, 3, 4, 5, 6], "clock readings are not steps"
    assert timeline.total_seconds == 9.0
    assert timeline.lanes == ["run", "subtask s1", "subtask s2"]
    wait = next(s for s in timeline.steps if s.key.startswith("signal/"))
    assert wait.wait and not timeline.steps[3].ok and "boom" in timeline.steps[3].output
    last = timeline.bars[-1]
    assert round(last.x + last.width) == round(timeline.width)
