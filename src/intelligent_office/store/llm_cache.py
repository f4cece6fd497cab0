"""The LLM response cache: a stored answer by the sha256 of its request, until it expires."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, select

from intelligent_office.store.on_conflict import dialect_insert
from intelligent_office.store.tables import LLMCacheRow

__all__ = ["LLMCacheRepository"]


class LLMCacheRepository:
    """Cached LLM responses by key."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, key: str, now: datetime) -> dict[str, Any] | None:
        """The cached value under `key`, or None if there is none or it expired by `now`."""
        query = select(LLMCacheRow.value).where(
            LLMCacheRow.key == key, LLMCacheRow.expires_at > now
        )
        with self._engine.connect() as connection:
            return connection.scalars(query).first()

    def put(self, key: str, model: str, value: dict[str, Any], expires_at: datetime) -> None:
        """Store `value` under `key`, replacing what was there."""
        insert = dialect_insert(self._engine.dialect.name, LLMCacheRow).values(
            key=key, model=model, value=value, created_at=datetime.now(UTC), expires_at=expires_at
        )
        replaced = {
            column: insert.excluded[column]
            for column in ("model", "value", "created_at", "expires_at")
        }
        with self._engine.begin() as connection:
            connection.execute(insert.on_conflict_do_update(index_elements=["key"], set_=replaced))

    def purge_expired(self, now: datetime) -> int:
        """Delete every entry expired by `now`; how many went."""
        with self._engine.begin() as connection:
            return connection.execute(
                delete(LLMCacheRow).where(LLMCacheRow.expires_at <= now)
            ).rowcount
