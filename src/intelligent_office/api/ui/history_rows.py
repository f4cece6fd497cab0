"""A history row: a task with the kind of its newest run and where its page is.

Every run has a task (an Office task, a YAML graph workflow, an agent workflow), so the
history lists tasks; an Office task's page is its live view, any other kind's is its
run page (agents and pattern, or nodes, with the timeline).
"""

from __future__ import annotations

from dataclasses import dataclass

from intelligent_office.run_kinds import RunKind, run_kind
from intelligent_office.store import RunRecord, TaskRecord

__all__ = ["HistoryRow", "history_row"]


@dataclass(frozen=True)
class HistoryRow:
    """One line of the history."""

    task: TaskRecord
    kind: RunKind
    href: str


def history_row(task: TaskRecord, latest: RunRecord | None) -> HistoryRow:
    """The row for `task` whose newest run is `latest` (None: not run yet, an Office task)."""
    kind = run_kind(latest.workflow) if latest is not None else RunKind.TASK
    if latest is None or kind is RunKind.TASK:
        return HistoryRow(task, kind, f"/ui/tasks/{task.task_id}")
    return HistoryRow(task, kind, f"/ui/runs/{latest.run_id}")
