"""What the live task page shows, folded from the task's stored events.

The same events feed `office show`, `/tasks/{id}/logs` and webhooks; this module turns
them into plain records a template can lay out: subtasks (the DAG), plan steps with
their tool calls, reviews, and the answer. The progress figure and the current step
come from `api.progress`, so the page and `GET /tasks/{id}/status` agree.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from intelligent_office.api.progress import FINISHED_STATUSES
from intelligent_office.models import Event

__all__ = [
    "CriterionLine",
    "EventLine",
    "ReviewLine",
    "StepLine",
    "SubtaskLine",
    "TaskProgress",
]


def short(value: Any, width: int = 80) -> str:
    """A value on one line, cut to `width` characters."""
    text = value if isinstance(value, str) else json.dumps(value, default=str, sort_keys=True)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass
class SubtaskLine:
    """One subtask of the decomposition."""

    subtask_id: str
    description: str
    dependencies: list[str]
    status: str = "pending"
    reason: str = ""


@dataclass
class StepLine:
    """One planned step: the tool it calls, with what, and how that went."""

    subtask_id: str
    iteration: int
    step_id: str
    tool: str
    inputs: str
    status: str = "pending"
    note: str = ""
    risk: int | None = None
    """The step's risk score, 0-100, when it was scored."""
    decision: str = ""
    """What the score and the policy decided: run, ask or refuse."""
    signals: str = ""
    """The signals that added to the score, strongest first."""
    edited: str = ""
    """Who changed the step's input when signing the plan off."""
    dependencies: list[str] = field(default_factory=list)
    when: str = ""
    """The step's condition (or `for_each`), shown on the plan graph."""


@dataclass
class ReviewLine:
    """The reviewer's decision on one iteration of a subtask."""

    subtask_id: str
    iteration: int
    decision: str
    feedback: str
    scores: dict[str, float]
    criteria: list[CriterionLine] = field(default_factory=list)


@dataclass
class CriterionLine:
    """One acceptance criterion as a review judged it."""

    criterion: str
    passed: bool
    detail: str


@dataclass
class EventLine:
    """An event as a row of the timeline."""

    seq: int
    time: datetime
    type: str
    summary: str


@dataclass
class TaskProgress:
    """The task as its events tell it so far."""

    status: str = "queued"
    subtasks: dict[str, SubtaskLine] = field(default_factory=dict)
    steps: dict[tuple[str, int, str], StepLine] = field(default_factory=dict)
    reviews: list[ReviewLine] = field(default_factory=list)
    rejections: list[str] = field(default_factory=list)
    waiting_for: str = ""
    answer: str = ""
    writing: str = ""
    """The answer a model is writing now (`answer.delta` events), until the task's answer."""
    _writing_key: tuple[str, str, int] | None = None
    dead_letter_id: str | None = None
    timeline: list[EventLine] = field(default_factory=list)
    last_seq: int = 0

    @classmethod
    def from_events(cls, status: str, events: Iterable[Event]) -> TaskProgress:
        """Fold the events in order; `status` is the stored task status, which wins."""
        progress = cls()
        for event in events:
            progress.apply(event)
        progress.status = status
        return progress

    @property
    def finished(self) -> bool:
        """Whether the task will not change any more."""
        return self.status in FINISHED_STATUSES

    def apply(self, event: Event) -> None:
        """Update from one event."""
        self.last_seq = max(self.last_seq, event.seq)
        data: dict[str, Any] = dict(event.payload)
        if event.type == "answer.delta":  # tokens, not a row of the timeline each
            self._on_delta(data)
            return
        self.timeline.append(EventLine(event.seq, event.time, event.type, short(data, 120)))
        handler = _HANDLERS.get(event.type)
        if handler is not None:
            handler(self, data)
        elif event.type.startswith("node."):
            self._on_node(event.type.removeprefix("node."), data)
        elif event.type.startswith("task.") and event.type != "task.submitted":
            self.status = event.type.removeprefix("task.")

    def _on_delta(self, data: dict[str, Any]) -> None:
        key = (str(data.get("agent")), str(data.get("subtask_id")), int(data.get("attempt") or 1))
        if key != self._writing_key:  # another role, subtask or a re-ask: a new text
            self._writing_key, self.writing = key, ""
        self.writing += str(data.get("text") or "")

    def _on_decomposed(self, data: dict[str, Any]) -> None:
        for item in data.get("subtasks") or []:
            subtask_id = str(item.get("subtask_id"))
            self.subtasks[subtask_id] = SubtaskLine(
                subtask_id=subtask_id,
                description=str(item.get("description", "")),
                dependencies=[str(dep) for dep in item.get("dependencies") or []],
            )
        self.status = "running"

    def _subtask(self, data: dict[str, Any]) -> SubtaskLine:
        subtask_id = str(data.get("subtask_id"))
        return self.subtasks.setdefault(
            subtask_id, SubtaskLine(subtask_id, str(data.get("description", "")), [])
        )

    def _on_subtask(self, status: str, data: dict[str, Any]) -> None:
        line = self._subtask(data)
        line.status = status
        line.reason = str(data.get("reason") or "")

    def _on_plan(self, data: dict[str, Any]) -> None:
        subtask_id, iteration = str(data.get("subtask_id")), int(data.get("iteration") or 0)
        for step in data.get("steps") or []:
            step_id = str(step.get("step_id"))
            self.steps[(subtask_id, iteration, step_id)] = StepLine(
                subtask_id=subtask_id,
                iteration=iteration,
                step_id=step_id,
                tool=str(step.get("action", "")),
                inputs=short(step.get("inputs") or {}),
                dependencies=[str(dep) for dep in step.get("dependencies") or []],
                when=_branch_note(step),
            )

    def _on_risk(self, data: dict[str, Any]) -> None:
        subtask_id, iteration = str(data.get("subtask_id")), int(data.get("iteration") or 0)
        for item in data.get("steps") or []:
            step = self.steps.get((subtask_id, iteration, str(item.get("step_id"))))
            if step is None:
                continue
            step.risk = int(item.get("score") or 0)
            step.decision = str(item.get("decision") or "")
            added = item.get("contributions") or {}
            strongest = sorted(added.items(), key=lambda pair: -float(pair[1]))
            step.signals = ", ".join(
                f"{name} +{float(value):.1f}" for name, value in strongest if float(value) >= 0.05
            )

    def _on_edited(self, data: dict[str, Any]) -> None:
        subtask_id, iteration = str(data.get("subtask_id")), int(data.get("iteration") or 0)
        for item in data.get("steps") or []:
            step = self.steps.get((subtask_id, iteration, str(item.get("step_id"))))
            if step is not None:
                step.inputs = short(item.get("inputs") or {})
                step.edited = str(data.get("by") or "a person")

    def _on_rejected(self, data: dict[str, Any]) -> None:
        prefix = f"{data.get('subtask_id')} iteration {data.get('iteration')}: "
        self.rejections.extend(prefix + short(reason, 200) for reason in data.get("reasons") or [])

    def _on_execution(self, data: dict[str, Any]) -> None:
        subtask_id, iteration = str(data.get("subtask_id")), int(data.get("iteration") or 0)
        for item in data.get("steps") or []:
            step = self.steps.get((subtask_id, iteration, str(item.get("step_id"))))
            if step is None:
                continue
            step.status = str(item.get("status", step.status))
            if item.get("error"):
                step.note = short(item["error"], 160)
            elif item.get("duration_seconds") is not None:
                seconds = float(item["duration_seconds"])
                step.note = f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"

    def _on_node(self, kind: str, data: dict[str, Any]) -> None:
        parts = str(data.get("scope") or "").split("/")  # subtask/<id>/iter/<n>
        if len(parts) != 4 or parts[0] != "subtask" or not parts[3].isdigit():
            return
        step = self.steps.get((parts[1], int(parts[3]), str(data.get("node_id"))))
        if step is None:
            return
        step.status = "running" if kind == "started" else kind
        if kind in ("failed", "retrying"):
            step.note = short(data.get("error", ""), 160)

    def _on_review(self, data: dict[str, Any]) -> None:
        scores = data.get("scores") or {}
        self.reviews.append(
            ReviewLine(
                subtask_id=str(data.get("subtask_id")),
                iteration=int(data.get("iteration") or 0),
                decision=str(data.get("decision", "")),
                feedback=str(data.get("feedback") or ""),
                scores={str(k): float(v) for k, v in scores.items() if isinstance(v, int | float)},
                criteria=[_criterion_line(item) for item in data.get("criteria") or []],
            )
        )

    def plan_graphs(self) -> dict[tuple[str, int], list[StepLine]]:
        """The steps of each subtask's latest plan, for drawing it as a graph."""
        latest: dict[str, int] = {}
        for subtask_id, iteration, _ in self.steps:
            latest[subtask_id] = max(iteration, latest.get(subtask_id, 0))
        graphs: dict[tuple[str, int], list[StepLine]] = {}
        for (subtask_id, iteration, _), line in self.steps.items():
            if latest[subtask_id] == iteration:
                graphs.setdefault((subtask_id, iteration), []).append(line)
        return graphs

    def _on_approval(self, requested: bool, data: dict[str, Any]) -> None:
        self.waiting_for = str(data.get("subject") or "a human decision") if requested else ""

    def _on_finished(self, status: str, data: dict[str, Any]) -> None:
        self.status = status
        self.answer = str(data.get("answer") or "")
        letter = data.get("dead_letter_id")
        self.dead_letter_id = str(letter) if letter else None


def _branch_note(step: dict[str, Any]) -> str:
    parts = []
    if step.get("when"):
        parts.append(f"when {step['when']}")
    if step.get("for_each"):
        parts.append(f"for each of {step['for_each']}")
    return "; ".join(parts)


def _criterion_line(item: dict[str, Any]) -> CriterionLine:
    criterion = item.get("criterion") or {}
    return CriterionLine(
        criterion=f"{criterion.get('kind', 'text')}: {criterion.get('value', '')}",
        passed=bool(item.get("passed")),
        detail=str(item.get("detail") or ""),
    )


_Handler = Callable[[TaskProgress, dict[str, Any]], None]
_HANDLERS: dict[str, _Handler] = {
    "task.decomposed": TaskProgress._on_decomposed,
    "subtask.started": lambda view, data: view._on_subtask("running", data),
    "subtask.completed": lambda view, data: view._on_subtask("completed", data),
    "subtask.failed": lambda view, data: view._on_subtask("failed", data),
    "subtask.unsupported": lambda view, data: view._on_subtask("unsupported", data),
    "subtask.skipped": lambda view, data: view._on_subtask("skipped", data),
    "plan.created": TaskProgress._on_plan,
    "plan.rejected": TaskProgress._on_rejected,
    "plan.risk": TaskProgress._on_risk,
    "plan.edited": TaskProgress._on_edited,
    "execution.finished": TaskProgress._on_execution,
    "review.decided": TaskProgress._on_review,
    "approval.requested": lambda view, data: view._on_approval(True, data),
    "approval.decided": lambda view, data: view._on_approval(False, data),
    "task.completed": lambda view, data: view._on_finished("completed", data),
    "task.dead_lettered": lambda view, data: view._on_finished("dead_lettered", data),
    "task.unsupported": lambda view, data: view._on_finished("unsupported", data),
}
