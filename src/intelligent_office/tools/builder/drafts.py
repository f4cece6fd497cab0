"""Tool drafts in the store: drafted, tested, approved (registered), rejected, disabled, removed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from intelligent_office.errors import UserError
from intelligent_office.store.tables import ToolDraftRow

__all__ = ["DraftStatus", "ToolDraft", "ToolDraftRepository"]


class DraftStatus:
    """The states of a draft, in the order they are usually reached."""

    DRAFTED = "drafted"
    TESTED = "tested"
    FAILED = "failed"
    REGISTERED = "registered"
    REJECTED = "rejected"
    DISABLED = "disabled"
    REMOVED = "removed"


@dataclass(frozen=True)
class ToolDraft:
    """One drafted tool: an MCP server's files, schema, risk and test results."""

    id: str
    gap_id: int
    name: str
    shape: str
    risk: str
    status: str
    spec: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @property
    def files(self) -> dict[str, str]:
        """File name -> content of the server, its logic and its tests."""
        return {str(k): str(v) for k, v in (self.spec.get("files") or {}).items()}

    @property
    def tool_names(self) -> list[str]:
        """The tools the server offers, as the registry will name them (`server.tool`)."""
        return [f"{self.name}.{tool['name']}" for tool in self.spec.get("tools") or []]


def _record(row: ToolDraftRow) -> ToolDraft:
    return ToolDraft(
        id=row.id,
        gap_id=row.gap_id,
        name=row.name,
        shape=row.shape,
        risk=row.risk,
        status=row.status,
        spec=dict(row.spec),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class ToolDraftRepository:
    """Tool drafts in the SQL store."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(
        self, *, gap_id: int, name: str, shape: str, risk: str, spec: dict[str, Any]
    ) -> ToolDraft:
        """Store a new draft."""
        now = datetime.now(UTC)
        row = ToolDraftRow(
            id="d-" + uuid.uuid4().hex[:10],
            gap_id=gap_id,
            name=name,
            shape=shape,
            risk=risk,
            status=DraftStatus.DRAFTED,
            spec=spec,
            created_at=now,
            updated_at=now,
        )
        with Session(self._engine, expire_on_commit=False) as session, session.begin():
            session.add(row)
            session.flush()
            return _record(row)

    def get(self, draft_id: str) -> ToolDraft | None:
        """The draft with this id, if any."""
        with Session(self._engine) as session:
            row = session.get(ToolDraftRow, draft_id)
            return _record(row) if row else None

    def require(self, draft_id: str) -> ToolDraft:
        """The draft with this id; a UserError naming `office tools drafts` if none."""
        found = self.get(draft_id)
        if found is None:
            raise UserError(f"no tool draft {draft_id!r}: see `office tools drafts`")
        return found

    def recent(self, *, status: str | None = None, gap_id: int | None = None) -> list[ToolDraft]:
        """Drafts, newest first."""
        query = select(ToolDraftRow).order_by(ToolDraftRow.created_at.desc())
        if status is not None:
            query = query.where(ToolDraftRow.status == status)
        if gap_id is not None:
            query = query.where(ToolDraftRow.gap_id == gap_id)
        with Session(self._engine) as session:
            return [_record(row) for row in session.scalars(query)]

    def update(
        self, draft_id: str, *, status: str | None = None, spec: dict[str, Any] | None = None
    ) -> ToolDraft:
        """Change a draft's status or spec."""
        values: dict[str, Any] = {"updated_at": datetime.now(UTC)}
        if status is not None:
            values["status"] = status
        if spec is not None:
            values["spec"] = spec
        with self._engine.begin() as connection:
            connection.execute(
                update(ToolDraftRow).where(ToolDraftRow.id == draft_id).values(**values)
            )
        return self.require(draft_id)
