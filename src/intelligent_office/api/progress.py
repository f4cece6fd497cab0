"""How far a task has got, read from its events: progress 0..1, current step, subtasks.

The same events every other view reads (ARCHITECTURE rule 6), folded into numbers a
client can poll. Each subtask counts by the furthest stage it reached (started,
planned, executed, reviewed, finished); a finished task is at 1.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from intelligent_office.api.schemas import SubtaskPublic
from intelligent_office.models import Event
from intelligent_office.store import Store, TaskRecord

__all__ = ["FINISHED_STATUSES", "ProgressTracker", "TaskProgress", "task_progress"]

FINISHED_STATUSES = frozenset(
    # "partial": an agent workflow whose optional agents did not all finish.
    {"completed", "partial", "unsupported", "dead_lettered", "failed", "cancelled"}
)

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


@dataclass
class _Fold:
    """A task's events folded so far; fed new events as they are stored."""

    subtasks: dict[str, _Subtask] = field(default_factory=dict)
    current_step: str | None = None
    started: bool = False
    seq: int = 0
    """The newest event folded in."""
    checked: int = 0
    """The task's event counter when its events were last read (it may skip numbers)."""

    def feed(self, events: Iterable[Event]) -> None:
        for event in events:
            self.seq = max(self.seq, event.seq)
            data: dict[str, Any] = dict(event.payload)
            self.started = self.started or event.type in ("run.started", "task.started")
            if event.type == "task.decomposed":
                for item in data.get("subtasks") or []:
                    self.subtasks[str(item.get("subtask_id"))] = _Subtask(
                        str(item.get("description", "")),
                        [str(dep) for dep in item.get("dependencies") or []],
                    )
            _advance(self.subtasks, event.type, data)
            self.current_step = _describe(event.type, data) or self.current_step

    def view(self, status: str) -> TaskProgress:
        subtasks = {key: replace(item) for key, item in self.subtasks.items()}
        view = TaskProgress(status=status, current_step=self.current_step, subtasks=subtasks)
        if status == "queued" and not self.started:
            view.current_step = "queued"
        if status in FINISHED_STATUSES:
            view.progress, view.current_step = 1.0, status
        elif subtasks:
            done = sum(item.stage for item in subtasks.values()) / len(subtasks)
            view.progress = round(_DECOMPOSED + _SUBTASKS_SHARE * done, 4)
        elif self.started:
            view.progress = _STARTED
        return view


def task_progress(status: str, events: Iterable[Event]) -> TaskProgress:
    """Fold a task's events, oldest first, into its progress; `status` is the stored one."""
    fold = _Fold()
    fold.feed(events)
    return fold.view(status)


class ProgressTracker:
    """Each task's fold, kept per app and brought up to date from the events stored since.

    Polling a task's status then reads only its row: its event counter says whether any
    event came since the last read. The least recently polled tasks are forgotten.
    """

    def __init__(self, capacity: int = 4096) -> None:
        self._capacity = capacity
        self._folds: OrderedDict[str, _Fold] = OrderedDict()
        self._lock = threading.Lock()  # sync routes call in from the thread pool

    def progress(self, store: Store, task: TaskRecord) -> TaskProgress:
        """The task's progress as of its stored events."""
        with self._lock:
            fold = self._folds.pop(task.task_id, None) or _Fold()
            if task.event_seq > fold.checked:
                while True:
                    page = store.events.read(task.task_id, after_seq=fold.seq, limit=1000)
                    fold.feed(page)
                    if len(page) < 1000:
                        break
                fold.checked = task.event_seq
            self._folds[task.task_id] = fold
            while len(self._folds) > self._capacity:
                self._folds.popitem(last=False)
            return fold.view(task.status)


def _advance(subtasks: dict[str, _Subtask], event_type: str, data: dict[str, Any]) -> None:
    subtask = subtasks.get(str(data.get("subtask_id")))
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
