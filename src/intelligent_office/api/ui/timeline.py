"""A run in time: its steps as bars on lanes (a Gantt chart) and as a step-by-step list.

Built from the run's journal, which records when each step started (measured) and
finished, and what it was given. A step journaled before start times were kept has its
start reconstructed: within a lane (an Office task's subtask, a graph's node, an agent:
the one that answered, whatever the pattern named the step) the workflow code calls one
step after another, so a step starts when the lane's previous step ended, or when the
lane started (a subtask's recorded start), or else when the step before it anywhere
ended. Steps of the run itself (decompose, synthesize) wait for everything before them,
so they start when the step before them ended. Waits for a person (signals) and durable
sleeps are drawn as waits.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from intelligent_office.runtime.fork import is_step, step_label
from intelligent_office.store import JournalEntry

__all__ = ["Bar", "Step", "Timeline", "build_timeline", "lane_of", "lane_of_entry"]

CHART_WIDTH = 860.0
LABEL_WIDTH = 170.0
LANE_HEIGHT = 26.0
MAX_OUTPUT_CHARS = 4_000

_LANE = (
    (re.compile(r"^subtask/([^/]+)/"), "subtask {}"),
    (re.compile(r"/node/([^/]+)/"), "{}"),
    (re.compile(r"^dag/([^/]+)/"), "{}"),
)


@dataclass(frozen=True)
class Step:
    """One step as the step-by-step list shows it."""

    number: int
    key: str
    activity: str
    ok: bool
    error: str | None
    lane: str
    seconds: float
    finished_at: datetime
    output: str
    """What the step produced, as indented JSON (cut at MAX_OUTPUT_CHARS)."""
    wait: bool
    input: str = ""
    """What the step was given, as indented JSON (cut at MAX_OUTPUT_CHARS); "" if unknown."""
    measured: bool = False
    """The start time was measured (journaled), not reconstructed."""


@dataclass(frozen=True)
class Bar:
    """A step's bar in the chart, in SVG user units."""

    step: Step
    x: float
    y: float
    width: float


@dataclass(frozen=True)
class Timeline:
    """The chart's lanes and bars and the list of steps."""

    lanes: list[str]
    bars: list[Bar]
    steps: list[Step]
    total_seconds: float
    width: float
    height: float
    label_width: float


def lane_of(key: str) -> str:
    """The lane a step key belongs to: its subtask, node or agent; else the run itself."""
    for pattern, label in _LANE:
        found = pattern.search(key)
        if found:
            return label.format(found.group(1))
    return "run"


CALL_AGENT = "agentkit.call_agent"
"""An agent's call (the agent kit's activity, named here so drawing loads no agent code)."""


def lane_of_entry(entry: JournalEntry) -> str:
    """An entry's lane: the agent that answered an agent call, else by its key."""
    output = entry.output
    if entry.activity == CALL_AGENT and isinstance(output, dict) and output.get("agent"):
        return str(output["agent"])  # a pipeline's keys name stages, not agents
    return lane_of(entry.key)


def build_timeline(entries: list[JournalEntry], started_at: datetime | None) -> Timeline:
    """The timeline of a run from its journal (in recorded order) and its start time."""
    timed = [e for e in entries if e.recorded_at is not None]
    origin = _utc(started_at) if started_at else None
    if timed:
        first = min(_utc(e.started_at or e.recorded_at) for e in timed)
        origin = min(origin, first) if origin else first
    if origin is None:
        origin = datetime.now(UTC)
    lane_ends: dict[str, datetime] = {}
    last_end = origin
    steps: list[Step] = []
    number = 0
    for entry in timed:
        finished = _utc(entry.recorded_at)
        lane = lane_of_entry(entry)
        if not is_step(entry):  # a clock reading: when a lane (a subtask) started
            if entry.activity == "now" and lane != "run":
                lane_ends.setdefault(lane, finished)
            continue
        number += 1
        if entry.started_at is not None:
            began = _utc(entry.started_at)
        else:
            began = last_end if lane == "run" else lane_ends.get(lane, last_end)
        lane_ends[lane] = finished
        last_end = max(last_end, finished)
        steps.append(
            Step(
                number=number,
                key=step_label(entry.key),
                activity=entry.activity,
                ok=entry.ok,
                error=entry.error,
                lane=lane,
                seconds=max(0.0, (finished - began).total_seconds()),
                finished_at=finished,
                output=_shown(entry),
                wait=entry.activity in ("signal", "sleep"),
                input=_shown_input(entry.input),
                measured=entry.started_at is not None,
            )
        )
    lanes = list(dict.fromkeys(step.lane for step in steps))
    total = max(((s.finished_at - origin).total_seconds() for s in steps), default=0.0)
    scale = (CHART_WIDTH - LABEL_WIDTH) / total if total > 0 else 0.0
    bars = []
    for step in steps:
        end = (step.finished_at - origin).total_seconds()
        bars.append(
            Bar(
                step=step,
                x=LABEL_WIDTH + (end - step.seconds) * scale,
                y=lanes.index(step.lane) * LANE_HEIGHT + 4,
                # A bar too short to see still gets a sliver, so every step can be pointed at.
                width=max(2.0, step.seconds * scale),
            )
        )
    return Timeline(
        lanes=lanes,
        bars=bars,
        steps=steps,
        total_seconds=total,
        width=CHART_WIDTH,
        height=max(1, len(lanes)) * LANE_HEIGHT + 8,
        label_width=LABEL_WIDTH,
    )


def _shown(entry: JournalEntry) -> str:
    value = entry.output if entry.ok else {"error_type": entry.error_type, "error": entry.error}
    return _cut(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def _shown_input(text: str | None) -> str:
    if text is None:
        return ""
    return _cut(json.dumps(json.loads(text), indent=2, ensure_ascii=False))


def _cut(text: str) -> str:
    if len(text) > MAX_OUTPUT_CHARS:
        return text[:MAX_OUTPUT_CHARS] + f"\n… ({len(text) - MAX_OUTPUT_CHARS:,} more characters)"
    return text


def _utc(value: datetime | None) -> datetime:
    assert value is not None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
