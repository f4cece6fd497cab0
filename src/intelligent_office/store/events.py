"""Events: read a task's stream in order, from any sequence number on."""

from __future__ import annotations

from sqlalchemy import Engine, select

from intelligent_office.models.event import Event
from intelligent_office.store.tables import EventRow

__all__ = ["EventRepository"]


class EventRepository:
    """Stored events, read in sequence order."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def read(
        self,
        task_id: str,
        *,
        after_seq: int = 0,
        run_id: str | None = None,
        limit: int = 1000,
    ) -> list[Event]:
        """Events of a task with seq > after_seq, oldest first."""
        query = (
            select(EventRow)
            .where(EventRow.task_id == task_id, EventRow.seq > after_seq)
            .order_by(EventRow.seq)
            .limit(limit)
        )
        if run_id is not None:
            query = query.where(EventRow.run_id == run_id)
        with self._engine.connect() as connection:
            return [
                Event(
                    type=row.type,
                    task_id=row.task_id,
                    run_id=row.run_id,
                    seq=row.seq,
                    time=row.time,
                    payload=row.payload,
                )
                for row in connection.execute(query)
            ]
