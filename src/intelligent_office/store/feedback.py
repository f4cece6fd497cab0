"""Feedback: a person's rating (1..5) and comment on a task's answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from intelligent_office.store.tables import FeedbackRow

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


def _record(row: FeedbackRow) -> FeedbackRecord:
    return FeedbackRecord(
        id=row.id,
        task_id=row.task_id,
        user_id=row.user_id,
        rating=row.rating,
        comment=row.comment,
        created_at=row.created_at,
    )


class FeedbackRepository:
    """Stored feedback, per task."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(
        self, *, task_id: str, user_id: str, rating: int | None, comment: str
    ) -> FeedbackRecord:
        """Store feedback on a task; a task may get any number of pieces."""
        row = FeedbackRow(
            task_id=task_id,
            user_id=user_id,
            rating=rating,
            comment=comment,
            created_at=datetime.now(UTC),
        )
        with Session(self._engine, expire_on_commit=False) as session, session.begin():
            session.add(row)
            session.flush()
            return _record(row)

    def for_task(self, task_id: str) -> list[FeedbackRecord]:
        """The task's feedback, oldest first."""
        query = select(FeedbackRow).where(FeedbackRow.task_id == task_id).order_by(FeedbackRow.id)
        with Session(self._engine) as session:
            return [_record(row) for row in session.scalars(query)]
