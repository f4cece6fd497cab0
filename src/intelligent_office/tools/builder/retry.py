"""Running the task that reported a gap again, once a tool for it is registered."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from intelligent_office.errors import UserError
from intelligent_office.models import Task
from intelligent_office.runtime.worker import LocalWorker
from intelligent_office.store import RunRecord, TaskRecord
from intelligent_office.store.records import ToolGapRecord

if TYPE_CHECKING:  # the Office drives this module; only its type is needed here
    from intelligent_office.front_door import Office

__all__ = ["retry_gap_task"]


def retry_gap_task(
    office: Office,
    worker: LocalWorker,
    gap: ToolGapRecord,
    *,
    workspace: Path | None = None,
) -> tuple[TaskRecord, RunRecord]:
    """Submit the gap's task again as a new task; the gap's audit trail names the new one."""
    stored = office.store.tasks.get(gap.task_id)
    if stored is None:
        raise UserError(f"gap {gap.id}'s task {gap.task_id} is no longer stored")
    body = dict(stored.body)
    if workspace is not None:
        body["context"] = {**(body.get("context") or {}), "workspace": str(workspace.resolve())}
    task = Task.model_validate({**body, "task_id": uuid.uuid4().hex, "idempotency_key": None})
    submitted = office.submit(worker, task)
    office.store.audit.add(
        actor="office",
        action="tool.gap_retried",
        subject=f"gap {gap.id}: task {gap.task_id} retried as {task.task_id}",
        reason="a tool for the gap was registered",
        task_id=task.task_id,
        detail={"gap_id": gap.id, "original_task_id": gap.task_id},
    )
    return submitted
