"""Stored planner guidance: add or refresh from a cause, list, enable, disable, delete."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Row, delete, insert, select, update

from intelligent_office.errors import UserError
from intelligent_office.models.guidance import Guidance
from intelligent_office.store.schema import learning_guidance_table

__all__ = ["GuidanceRecord", "GuidanceRepository", "guidance_id_for"]

ENABLED, DISABLED, PROPOSED = "enabled", "disabled", "proposed"
"""Proposed guidance is in effect only in an offline prompt version that names it."""


@dataclass(frozen=True)
class GuidanceRecord:
    """One stored piece of guidance."""

    id: str
    cause: str
    text: str
    intent: str | None
    tool: str | None
    adjustment: dict[str, Any]
    examples: list[str]
    evidence: dict[str, Any]
    status: str
    uses: int
    created_at: datetime
    updated_at: datetime

    def contract(self, similarity: float = 0.0) -> Guidance:
        """As handed to a planner."""
        return Guidance(
            guidance_id=self.id,
            text=self.text,
            cause=self.cause,
            intent=self.intent,
            tool=self.tool,
            adjustment=self.adjustment,
            similarity=round(similarity, 4),
        )


def guidance_id_for(cause: str) -> str:
    """A stable id per cause: learning the same cause again refreshes one record."""
    return "g-" + hashlib.sha256(cause.encode()).hexdigest()[:10]


def _record(row: Row[Any]) -> GuidanceRecord:
    return GuidanceRecord(
        id=row.id,
        cause=row.cause,
        text=row.text,
        intent=row.intent,
        tool=row.tool,
        adjustment=dict(row.adjustment),
        examples=[str(e) for e in row.examples],
        evidence=dict(row.evidence),
        status=row.status,
        uses=row.uses,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


_table = learning_guidance_table


class GuidanceRepository:
    """Guidance rows in the SQL store (Core statements: every plan of a run reads them, and
    a run never needs SQLAlchemy's ORM)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def upsert(
        self,
        *,
        cause: str,
        text: str,
        intent: str | None,
        tool: str | None,
        adjustment: dict[str, Any],
        examples: list[str],
        evidence: dict[str, Any],
        status: str = ENABLED,
    ) -> tuple[GuidanceRecord, bool]:
        """Store guidance for a cause, or refresh its examples and evidence; (record, new)."""
        now = datetime.now(UTC)
        guidance_id = guidance_id_for(cause)
        refreshed = {
            "text": text,
            "intent": intent,
            "tool": tool,
            "adjustment": adjustment,
            "examples": examples[:20],
            "evidence": evidence,
            "updated_at": now,
        }
        mine = _table.c.id == guidance_id
        with self._engine.begin() as connection:
            created = connection.execute(select(_table.c.id).where(mine)).first() is None
            if created:
                first = {"id": guidance_id, "cause": cause, "status": status, "uses": 0}
                connection.execute(insert(_table).values(**first, created_at=now, **refreshed))
            else:
                connection.execute(update(_table).where(mine).values(**refreshed))
            row = connection.execute(select(_table).where(mine)).one()
        return _record(row), created

    def get(self, guidance_id: str) -> GuidanceRecord | None:
        """The guidance with this id, if any."""
        with self._engine.connect() as connection:
            row = connection.execute(select(_table).where(_table.c.id == guidance_id)).first()
        return _record(row) if row else None

    def require(self, guidance_id: str) -> GuidanceRecord:
        """The guidance with this id; a UserError naming `office learn guidance list` if none."""
        found = self.get(guidance_id)
        if found is None:
            raise UserError(f"no guidance {guidance_id!r}: see `office learn guidance list`")
        return found

    def all(self, *, status: str | None = None) -> list[GuidanceRecord]:
        """Every piece of guidance (or those with one status), most used first."""
        query = select(_table).order_by(_table.c.uses.desc(), _table.c.id)
        if status is not None:
            query = query.where(_table.c.status == status)
        with self._engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]

    def set_status(self, guidance_id: str, status: str) -> GuidanceRecord:
        """Enable or disable one piece of guidance."""
        self.require(guidance_id)
        with self._engine.begin() as connection:
            connection.execute(
                update(_table)
                .where(_table.c.id == guidance_id)
                .values(status=status, updated_at=datetime.now(UTC))
            )
        return self.require(guidance_id)

    def delete(self, guidance_id: str) -> None:
        """Remove one piece of guidance for good."""
        self.require(guidance_id)
        with self._engine.begin() as connection:
            connection.execute(delete(_table).where(_table.c.id == guidance_id))

    def count_use(self, guidance_ids: list[str]) -> None:
        """Count one more use of each."""
        if not guidance_ids:
            return
        with self._engine.begin() as connection:
            connection.execute(
                update(_table).where(_table.c.id.in_(guidance_ids)).values(uses=_table.c.uses + 1)
            )
