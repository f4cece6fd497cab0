"""Tool-gap reports: what tasks were missing, for `office gaps` and the API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from intelligent_office.store.records import ToolGapRecord
from intelligent_office.store.tables import ToolGapRow

__all__ = ["ToolGapRepository"]


class ToolGapRepository:
    """Stored tool-gap reports."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, *, task_id: str, subtask_id: str | None, report: dict[str, Any]) -> None:
        """Store a report; the same task and subtask twice stores it once."""
        query = select(ToolGapRow.id).where(
            ToolGapRow.task_id == task_id, ToolGapRow.subtask_id == subtask_id
        )
        with self._engine.begin() as connection:
            if connection.execute(query).first() is not None:
                return
            connection.execute(
                insert(ToolGapRow).values(
                    task_id=task_id,
                    subtask_id=subtask_id,
                    created_at=datetime.now(UTC),
                    report=report,
                )
            )

    def recent(self, *, task_id: str | None = None, limit: int = 100) -> list[ToolGapRecord]:
        """Reports, newest first."""
        query = select(ToolGapRow).order_by(ToolGapRow.id.desc()).limit(limit)
        if task_id is not None:
            query = query.where(ToolGapRow.task_id == task_id)
        with self._engine.connect() as connection:
            return [
                ToolGapRecord(
                    id=row.id,
                    task_id=row.task_id,
                    subtask_id=row.subtask_id,
                    created_at=row.created_at,
                    report=row.report,
                )
                for row in connection.execute(query)
            ]
