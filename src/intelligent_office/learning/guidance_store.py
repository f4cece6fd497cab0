"""Stored planner guidance: add or refresh from a cause, list, enable, disable, delete."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from intelligent_office.errors import UserError
from intelligent_office.models.guidance import Guidance
from intelligent_office.store.tables import GuidanceRow

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


def _record(row: GuidanceRow) -> GuidanceRecord:
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


class GuidanceRepository:
    """Guidance rows in the SQL store."""

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
        with Session(self._engine, expire_on_commit=False) as session, session.begin():
            row = session.get(GuidanceRow, guidance_id)
            created = row is None
            if row is None:
                row = GuidanceRow(
                    id=guidance_id,
                    cause=cause,
                    status=status,
                    uses=0,
                    created_at=now,
                )
                session.add(row)
            row.text, row.intent, row.tool = text, intent, tool
            row.adjustment, row.examples, row.evidence = adjustment, examples[:20], evidence
            row.updated_at = now
            session.flush()
            return _record(row), created

    def get(self, guidance_id: str) -> GuidanceRecord | None:
        """The guidance with this id, if any."""
        with Session(self._engine) as session:
            row = session.get(GuidanceRow, guidance_id)
            return _record(row) if row else None

    def require(self, guidance_id: str) -> GuidanceRecord:
        """The guidance with this id; a UserError naming `office learn guidance list` if none."""
        found = self.get(guidance_id)
        if found is None:
            raise UserError(f"no guidance {guidance_id!r}: see `office learn guidance list`")
        return found

    def all(self, *, status: str | None = None) -> list[GuidanceRecord]:
        """Every piece of guidance (or those with one status), most used first."""
        query = select(GuidanceRow).order_by(GuidanceRow.uses.desc(), GuidanceRow.id)
        if status is not None:
            query = query.where(GuidanceRow.status == status)
        with Session(self._engine) as session:
            return [_record(row) for row in session.scalars(query)]

    def set_status(self, guidance_id: str, status: str) -> GuidanceRecord:
        """Enable or disable one piece of guidance."""
        self.require(guidance_id)
        with self._engine.begin() as connection:
            connection.execute(
                update(GuidanceRow)
                .where(GuidanceRow.id == guidance_id)
                .values(status=status, updated_at=datetime.now(UTC))
            )
        return self.require(guidance_id)

    def delete(self, guidance_id: str) -> None:
        """Remove one piece of guidance for good."""
        self.require(guidance_id)
        with self._engine.begin() as connection:
            connection.execute(delete(GuidanceRow).where(GuidanceRow.id == guidance_id))

    def count_use(self, guidance_ids: list[str]) -> None:
        """Count one more use of each."""
        if not guidance_ids:
            return
        with self._engine.begin() as connection:
            connection.execute(
                update(GuidanceRow)
                .where(GuidanceRow.id.in_(guidance_ids))
                .values(uses=GuidanceRow.uses + 1)
            )
