"""What one user is using now: unfinished tasks and today's model spend (for API quotas)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, select

from intelligent_office.store.tables import LLMCallRow, TaskRow

__all__ = ["ACTIVE_TASK_STATUSES", "UsageRepository"]

ACTIVE_TASK_STATUSES = ("queued", "running")


class UsageRepository:
    """Per-user counts the API's quotas are checked against."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def active_tasks(self, user_id: str) -> int:
        """How many of the user's tasks are queued or running."""
        query = select(func.count()).where(
            TaskRow.user_id == user_id, TaskRow.status.in_(ACTIVE_TASK_STATUSES)
        )
        with self._engine.connect() as connection:
            return int(connection.scalar(query) or 0)

    def cost_since(self, user_id: str, since: datetime) -> float:
        """USD the user's tasks spent on model calls since `since`."""
        query = (
            select(func.coalesce(func.sum(LLMCallRow.cost_usd), 0.0))
            .join(TaskRow, TaskRow.task_id == LLMCallRow.task_id)
            .where(TaskRow.user_id == user_id, LLMCallRow.created_at >= since)
        )
        with self._engine.connect() as connection:
            return float(connection.scalar(query) or 0.0)
