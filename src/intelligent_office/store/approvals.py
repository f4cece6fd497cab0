"""Approvals: human decisions a run waits for (over budget, a risky tool), decided once.

A run asks with `request` and then waits on the signal `approval_signal(id)`; whoever
decides (CLI, API) records the decision here and sends that signal.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Engine, Row, exists, insert, select, update
from sqlalchemy.exc import IntegrityError

from intelligent_office.errors import UserError
from intelligent_office.store.records import ApprovalRecord
from intelligent_office.store.schema import approvals_table, tasks_table

__all__ = ["ApprovalRepository", "Decision", "approval_signal"]

Decision = Literal["approved", "denied", "expired", "revised"]
"""revised: an escalation sent back for another iteration with the person's feedback."""


def approval_signal(approval_id: str) -> str:
    """The name of the signal the waiting run receives the decision on."""
    return f"approval/{approval_id}"


def _record(row: Row[Any]) -> ApprovalRecord:
    return ApprovalRecord(
        id=row.id,
        task_id=row.task_id,
        run_id=row.run_id,
        kind=row.kind,
        subject=row.subject,
        detail=row.detail,
        status=row.status,
        requested_at=row.requested_at,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        comment=row.comment,
        response=row.response,
    )


class ApprovalRepository:
    """Stored approvals (Core statements: the Office loop loads this module, and a run
    never needs SQLAlchemy's ORM)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def request(
        self,
        *,
        approval_id: str,
        task_id: str,
        run_id: str | None,
        kind: str,
        subject: str,
        detail: dict[str, Any],
    ) -> ApprovalRecord:
        """Store a pending approval; requesting the same id again returns the stored one."""
        existing = self.get(approval_id)
        if existing is not None:
            return existing
        record = ApprovalRecord(
            id=approval_id,
            task_id=task_id,
            run_id=run_id,
            kind=kind,
            subject=subject,
            detail=detail,
            status="pending",
            requested_at=datetime.now(UTC),
            decided_at=None,
            decided_by=None,
            comment=None,
            response=None,
        )
        try:
            with self._engine.begin() as connection:
                connection.execute(insert(approvals_table).values(**asdict(record)))
        except IntegrityError:
            stored = self.get(approval_id)  # a replayed activity raced its first attempt
            if stored is None:
                raise
            return stored
        return record

    def get(self, approval_id: str) -> ApprovalRecord | None:
        """The approval with this id, if any."""
        query = select(approvals_table).where(approvals_table.c.id == approval_id)
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        return _record(row) if row else None

    def require(self, approval_id: str) -> ApprovalRecord:
        """The approval with this id; a UserError naming `office approvals` if none."""
        found = self.get(approval_id)
        if found is None:
            raise UserError(f"no approval {approval_id}: `office approvals` lists the pending ones")
        return found

    def list(
        self,
        *,
        status: str | None = "pending",
        task_id: str | None = None,
        limit: int = 100,
        user_id: str | None = None,
        offset: int = 0,
    ) -> list[ApprovalRecord]:
        """Newest first; pending ones unless another status (or None, for all) is given.

        With `user_id`, only approvals of that user's tasks.
        """
        approvals, tasks = approvals_table, tasks_table
        query = (
            select(approvals)
            .order_by(approvals.c.requested_at.desc(), approvals.c.id)
            .limit(limit)
            .offset(offset)
        )
        if status is not None:
            query = query.where(approvals.c.status == status)
        if task_id is not None:
            query = query.where(approvals.c.task_id == task_id)
        if user_id is not None:
            query = query.join(tasks, tasks.c.task_id == approvals.c.task_id).where(
                tasks.c.user_id == user_id
            )
        with self._engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]

    def decide(
        self,
        approval_id: str,
        *,
        status: Decision,
        by: str | None,
        comment: str | None = None,
        response: dict[str, Any] | None = None,
    ) -> ApprovalRecord:
        """Record the decision on a pending approval.

        Raises:
            UserError: there is no such approval, or it was decided already.
        """
        decided = (
            update(approvals_table)
            .where(approvals_table.c.id == approval_id, approvals_table.c.status == "pending")
            .values(
                status=status,
                decided_at=datetime.now(UTC),
                decided_by=by,
                comment=comment,
                response=response,
            )
        )
        with self._engine.begin() as connection:
            # One UPDATE guarded by the status: of two deciders at once, exactly one wins.
            won = connection.execute(decided).rowcount == 1
        approval = self.require(approval_id)
        if not won:
            by_whom = f" by {approval.decided_by}" if approval.decided_by else ""
            raise UserError(f"approval {approval_id} was already {approval.status}{by_whom}")
        return approval

    def granted(self, task_id: str, kind: str) -> bool:
        """Whether an approval of this kind was approved for the task."""
        query = select(
            exists().where(
                approvals_table.c.task_id == task_id,
                approvals_table.c.kind == kind,
                approvals_table.c.status == "approved",
            )
        )
        with self._engine.connect() as connection:
            return bool(connection.scalar(query))
