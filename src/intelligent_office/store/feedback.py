"""Feedback: a person's rating (1..5) and comment on a task's answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Row, insert, select

from intelligent_office.store.schema import feedback_table

__all__ = ["FeedbackRecord", "FeedbackRepository"]


@dataclass(frozen=True)
class FeedbackRecord:
    """One stored piece of feedback."""

    id: int
    task_id: str
    user_id: str
    rating: int | None
    comment: str
    created_at: datetime


def _record(row: Row[Any]) -> FeedbackRecord:
    return FeedbackRecord(
        id=row.id,
        task_id=row.task_id,
        user_id=row.user_id,
        rating=row.rating,
        comment=row.comment,
        created_at=row.created_at,
    )


class FeedbackRepository:
    """Stored feedback, per task (Core statements: the memory a run opens loads this
    module, and a run never needs SQLAlchemy's ORM)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(
        self, *, task_id: str, user_id: str, rating: int | None, comment: str
    ) -> FeedbackRecord:
        """Store feedback on a task; a task may get any number of pieces."""
        now = datetime.now(UTC)
        statement = (
            insert(feedback_table)
            .values(
                task_id=task_id, user_id=user_id, rating=rating, comment=comment, created_at=now
            )
            .returning(feedback_table.c.id)
        )
        with self._engine.begin() as connection:
            feedback_id = int(connection.execute(statement).scalar_one())
        return FeedbackRecord(feedback_id, task_id, user_id, rating, comment, now)

    def for_task(self, task_id: str) -> list[FeedbackRecord]:
        """The task's feedback, oldest first."""
        table = feedback_table
        query = select(table).where(table.c.task_id == task_id).order_by(table.c.id)
        with self._engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]
