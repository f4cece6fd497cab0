"""Dead letters: tasks that could not be finished, kept for inspection and resubmission."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from intelligent_office.errors import UserError
from intelligent_office.store.records import DeadLetterRecord
from intelligent_office.store.tables import DeadLetterRow, TaskRow

__all__ = ["DeadLetterRepository"]


def _record(row: DeadLetterRow) -> DeadLetterRecord:
    return DeadLetterRecord(
        id=row.id,
        task_id=row.task_id,
        run_id=row.run_id,
        category=row.category,
        reason=row.reason,
        history=row.history,
        created_at=row.created_at,
        retried_at=row.retried_at,
        retry_task_id=row.retry_task_id,
    )


class DeadLetterRepository:
    """Stored dead letters."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(
        self,
        *,
        dead_letter_id: str,
        task_id: str,
        run_id: str | None,
        category: str,
        reason: str,
        history: dict[str, Any],
    ) -> DeadLetterRecord:
        """Store a dead letter; adding the same id again returns the stored one."""
        existing = self.get(dead_letter_id)
        if existing is not None:
            return existing
        row = DeadLetterRow(
            id=dead_letter_id,
            task_id=task_id,
            run_id=run_id,
            category=category,
            reason=reason,
            history=history,
            created_at=datetime.now(UTC),
            retried_at=None,
            retry_task_id=None,
        )
        record = _record(row)
        try:
            with Session(self._engine) as session, session.begin():
                session.add(row)
        except IntegrityError:
            stored = self.get(dead_letter_id)  # a replayed activity raced its first attempt
            if stored is None:
                raise
            return stored
        return record

    def get(self, dead_letter_id: str) -> DeadLetterRecord | None:
        """The dead letter with this id, if any."""
        with Session(self._engine) as session:
            row = session.get(DeadLetterRow, dead_letter_id)
            return _record(row) if row else None

    def require(self, dead_letter_id: str) -> DeadLetterRecord:
        """The dead letter with this id; a UserError naming `office dlq list` if none."""
        found = self.get(dead_letter_id)
        if found is None:
            raise UserError(f"no dead letter {dead_letter_id!r}: see `office dlq list` for ids")
        return found

    def recent(
        self,
        *,
        category: str | None = None,
        pending_only: bool = False,
        limit: int = 50,
        user_id: str | None = None,
        offset: int = 0,
    ) -> list[DeadLetterRecord]:
        """Newest first; optionally one category, one user's tasks, or only those not yet
        retried."""
        query = (
            select(DeadLetterRow)
            .order_by(DeadLetterRow.created_at.desc(), DeadLetterRow.id)
            .limit(limit)
            .offset(offset)
        )
        if user_id is not None:
            query = query.join(TaskRow, TaskRow.task_id == DeadLetterRow.task_id).where(
                TaskRow.user_id == user_id
            )
        if category is not None:
            query = query.where(DeadLetterRow.category == category)
        if pending_only:
            query = query.where(DeadLetterRow.retried_at.is_(None))
        with Session(self._engine) as session:
            return [_record(row) for row in session.scalars(query)]

    def mark_retried(self, dead_letter_id: str, retry_task_id: str) -> None:
        """Record that the dead letter was resubmitted as `retry_task_id`."""
        with self._engine.begin() as connection:
            connection.execute(
                update(DeadLetterRow)
                .where(DeadLetterRow.id == dead_letter_id)
                .values(retried_at=datetime.now(UTC), retry_task_id=retry_task_id)
            )
