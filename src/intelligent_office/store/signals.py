"""Signals: messages to a waiting run (approvals, human decisions), stored so they
survive restarts. The first signal sent under a name wins."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import JsonValue
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from intelligent_office.store.schema import signals_table

__all__ = ["SignalRepository"]


class SignalRepository:
    """Stored signals by (run_id, name)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def send(self, run_id: str, name: str, payload: JsonValue = None) -> bool:
        """Store a signal; False if one was already sent under that name."""
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    insert(signals_table).values(
                        run_id=run_id,
                        name=name,
                        payload={"value": payload},
                        created_at=datetime.now(UTC),
                    )
                )
        except IntegrityError:
            return False
        return True

    def get(self, run_id: str, name: str) -> tuple[bool, JsonValue]:
        """Whether the signal arrived, and its payload."""
        query = select(signals_table.c.payload).where(
            signals_table.c.run_id == run_id, signals_table.c.name == name
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return False, None
        stored = row[0] or {}
        return True, stored.get("value")
