"""The task page shows an answer while a model writes it (`answer.delta` events), without a
timeline row per token, and the task's answer once it has one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from intelligent_office.api.ui.task_view import TaskProgress
from intelligent_office.models import Event


def event(seq: int, type: str, **payload: Any) -> Event:
    return Event(
        type=type, task_id="t", run_id="r", seq=seq, time=datetime.now(UTC), payload=payload
    )


def delta(seq: int, text: str, attempt: int = 1) -> Event:
    return event(
        seq, "answer.delta", agent="synthesizer", subtask_id=None, attempt=attempt, text=text
    )


def test_deltas_build_the_answer_being_written_and_a_re_ask_starts_over() -> None:
    progress = TaskProgress.from_events(
        "running", [event(1, "task.started"), delta(2, "Four and"), delta(3, " twenty")]
    )
    assert progress.writing == "Four and twenty"
    assert [line.type for line in progress.timeline] == ["task.started"]

    progress.apply(delta(4, "4 and 21", attempt=2))  # a re-ask: the rejected text goes
    assert progress.writing == "4 and 21"

    progress.apply(event(5, "task.completed", answer="4 and 21."))
    assert progress.answer == "4 and 21." and progress.finished
