"""Tool drafts in the store: drafted, tested, approved (registered), rejected, disabled, removed."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Row, insert, select, update

from intelligent_office.errors import UserError
from intelligent_office.store.schema import tool_drafts_table

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


def _record(row: Row[Any]) -> ToolDraft:
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
    """Tool drafts in the SQL store (Core statements: every run lists the registered ones,
    and a run never needs SQLAlchemy's ORM)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(
        self, *, gap_id: int, name: str, shape: str, risk: str, spec: dict[str, Any]
    ) -> ToolDraft:
        """Store a new draft."""
        now = datetime.now(UTC)
        draft = ToolDraft(
            id="d-" + uuid.uuid4().hex[:10],
            gap_id=gap_id,
            name=name,
            shape=shape,
            risk=risk,
            status=DraftStatus.DRAFTED,
            spec=dict(spec),
            created_at=now,
            updated_at=now,
        )
        with self._engine.begin() as connection:
            connection.execute(insert(tool_drafts_table).values(**asdict(draft)))
        return draft

    def get(self, draft_id: str) -> ToolDraft | None:
        """The draft with this id, if any."""
        query = select(tool_drafts_table).where(tool_drafts_table.c.id == draft_id)
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        return _record(row) if row else None

    def require(self, draft_id: str) -> ToolDraft:
        """The draft with this id; a UserError naming `office tools drafts` if none."""
        found = self.get(draft_id)
        if found is None:
            raise UserError(f"no tool draft {draft_id!r}: see `office tools drafts`")
        return found

    def recent(self, *, status: str | None = None, gap_id: int | None = None) -> list[ToolDraft]:
        """Drafts, newest first."""
        table = tool_drafts_table
        query = select(table).order_by(table.c.created_at.desc())
        if status is not None:
            query = query.where(table.c.status == status)
        if gap_id is not None:
            query = query.where(table.c.gap_id == gap_id)
        with self._engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]

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
                update(tool_drafts_table).where(tool_drafts_table.c.id == draft_id).values(**values)
            )
        return self.require(draft_id)
