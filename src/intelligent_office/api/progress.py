"""How far a task has got, read from its events: progress 0..1, current step, subtasks.

The same events every other view reads (ARCHITECTURE rule 6), folded into numbers a
client can poll. Each subtask counts by the furthest stage it reached (started,
planned, executed, reviewed, finished); a finished task is at 1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from intelligent_office.api.schemas import SubtaskPublic
from intelligent_office.models import Event

__all__ = ["FINISHED_STATUSES", "TaskProgress", "task_progress"]

FINISHED_STATUSES = frozenset({"completed", "unsupported", "dead_lettered", "failed", "cancelled"})

# Share of a subtask's work done once it reached each stage.
_STAGE = {
    "subtask.started": 0.1,
    "plan.created": 0.3,
    "plan.validated": 0.4,
    "plan.rejected": 0.3,
    "execution.finished": 0.7,
    "review.decided": 0.9,
}
_SUBTASK_DONE = {
    "subtask.completed": "completed",
    "subtask.failed": "failed",
    "subtask.unsupported": "unsupported",
    "subtask.skipped": "skipped",
}
# Before decomposition, and the share of the whole the subtasks stand for.
_STARTED, _DECOMPOSED, _SUBTASKS_SHARE = 0.05, 0.1, 0.85


@dataclass
class _Subtask:
    description: str
    dependencies: list[str]
    status: str = "pending"
    stage: float = 0.0


@dataclass
class TaskProgress:
    """A task's progress as folded from its events."""

    status: str
    progress: float = 0.0
    current_step: str | None = None
    subtasks: dict[str, _Subtask] = field(default_factory=dict)

    def subtask_list(self) -> list[SubtaskPublic]:
        """The subtasks in the order they were planned."""
        return [
            SubtaskPublic(
                subtask_id=subtask_id,
                description=item.description,
                dependencies=item.dependencies,
                status=item.status,
            )
            for subtask_id, item in self.subtasks.items()
        ]


def task_progress(status: str, events: Iterable[Event]) -> TaskProgress:
    """Fold a task's events, oldest first, into its progress; `status` is the stored one."""
    view = TaskProgress(status=status, current_step=status if status == "queued" else None)
    started = False
    for event in events:
        data: dict[str, Any] = dict(event.payload)
        started = started or event.type in ("run.started", "task.started")
        if event.type == "task.decomposed":
            for item in data.get("subtasks") or []:
                view.subtasks[str(item.get("subtask_id"))] = _Subtask(
                    str(item.get("description", "")),
                    [str(dep) for dep in item.get("dependencies") or []],
                )
        _advance(view, event.type, data)
        view.current_step = _describe(event.type, data) or view.current_step
    if status in FINISHED_STATUSES:
        view.progress, view.current_step = 1.0, status
    elif view.subtasks:
        done = sum(item.stage for item in view.subtasks.values()) / len(view.subtasks)
        view.progress = round(_DECOMPOSED + _SUBTASKS_SHARE * done, 4)
    elif started:
        view.progress = _STARTED
    return view


def _advance(view: TaskProgress, event_type: str, data: dict[str, Any]) -> None:
    subtask = view.subtasks.get(str(data.get("subtask_id")))
    if subtask is None:
        return
    if event_type in _SUBTASK_DONE:
        subtask.status, subtask.stage = _SUBTASK_DONE[event_type], 1.0
    elif event_type in _STAGE and subtask.stage < 1.0:
        subtask.status = "running"
        subtask.stage = max(subtask.stage, _STAGE[event_type])


def _describe(event_type: str, data: dict[str, Any]) -> str | None:
    """What an event says the task is doing now, or None for a bookkeeping event."""
    where = f"subtask {data['subtask_id']}: " if data.get("subtask_id") else ""
    steps = {
        "task.submitted": "queued",
        "task.started": "starting",
        "task.decomposed": f"decomposed into {len(data.get('subtasks') or [])} subtasks",
        "subtask.started": f"{where}started",
        "plan.created": f"{where}planned (iteration {data.get('iteration')})",
        "plan.validated": f"{where}plan validated, executing",
        "plan.rejected": f"{where}plan rejected, planning again",
        "execution.finished": f"{where}executed, under review",
        "review.decided": f"{where}review: {data.get('decision')}",
        "approval.requested": f"waiting for approval: {data.get('subject')}",
        "approval.decided": f"approval {data.get('status')}",
        "subtask.completed": f"{where}completed",
        "subtask.failed": f"{where}failed",
        "subtask.unsupported": f"{where}unsupported",
        "subtask.skipped": f"{where}skipped",
    }
    if event_type in steps:
        return steps[event_type]
    if event_type in ("node.started", "step.started", "tool.called"):
        name = data.get("node_id") or data.get("step_id") or data.get("tool")
        return f"running step {name}" if name else None
    if event_type.startswith("task.") and event_type.removeprefix("task.") in FINISHED_STATUSES:
        return event_type.removeprefix("task.")
    return None
