"""How a task run to its end by `Office.run_task` ended: status, answer, ids, everything else."""

from __future__ import annotations

from pydantic import BaseModel

from intelligent_office.office import OfficeOutput
from intelligent_office.store import RunRecord

__all__ = ["TaskOutcome"]


class TaskOutcome(BaseModel):
    """How a task run by `Office.run_task` ended."""

    task_id: str
    run_id: str
    status: str
    """The task's (completed, dead_lettered, unsupported), else its run's (failed, cancelled)."""
    answer: str | None = None
    error: str | None = None
    """Why the run itself failed, when it did (a task's own failure is in `output`)."""
    output: OfficeOutput | None = None
    """Everything the run produced: subtasks, plans, reviews, tool gaps, the dead letter."""

    @classmethod
    def of(cls, task_id: str, finished: RunRecord) -> TaskOutcome:
        """The outcome a finished run records."""
        output = OfficeOutput.model_validate(finished.result) if finished.result else None
        return cls(
            task_id=task_id,
            run_id=finished.run_id,
            status=output.status.value if output is not None else finished.status.value,
            answer=output.answer if output is not None else None,
            error=finished.error,
            output=output,
        )
