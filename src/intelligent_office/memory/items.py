"""Memory items: the rows a search can return (plan records, document chunks, feedback)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from intelligent_office.store.tables import MemoryItemRow

__all__ = ["ItemKind", "MemoryItem", "MemoryItems", "NewItem", "location_of"]


class ItemKind:
    """The kinds of item memory holds."""

    PLAN = "plan"
    DOCUMENT = "document"
    FEEDBACK = "feedback"


@dataclass(frozen=True)
class NewItem:
    """An item to store."""

    tenant: str
    kind: str
    source: str
    title: str
    text: str
    created_at: datetime
    position: int = 0
    location: dict[str, Any] = field(default_factory=dict)
    fingerprint: str | None = None
    task_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MemoryItem(NewItem):
    """A stored item."""

    id: int = 0


def location_of(item: MemoryItem) -> str:
    """`notes/setup.md:12-18`, or `manual.pdf p. 3`: where an item is in its source."""
    where = item.location
    path = str(where.get("path") or item.source)
    if where.get("page"):
        return f"{path} p. {where['page']}"
    start, end = where.get("line_start"), where.get("line_end")
    if start and end and start != end:
        return f"{path}:{start}-{end}"
    return f"{path}:{start}" if start else path


def _item(row: MemoryItemRow) -> MemoryItem:
    return MemoryItem(
        id=row.id,
        tenant=row.tenant,
        kind=row.kind,
        source=row.source,
        title=row.title,
        text=row.text,
        created_at=row.created_at,
        position=row.position,
        location=dict(row.location or {}),
        fingerprint=row.fingerprint,
        task_id=row.task_id,
        data=dict(row.data or {}),
    )


def _row(item: NewItem) -> MemoryItemRow:
    return MemoryItemRow(
        tenant=item.tenant,
        kind=item.kind,
        source=item.source,
        position=item.position,
        location=item.location,
        title=item.title,
        text=item.text,
        fingerprint=item.fingerprint,
        task_id=item.task_id,
        data=item.data,
        created_at=item.created_at,
    )


class MemoryItems:
    """Reads and writes `memory_items`; vectors and keyword indexes follow via the index."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def insert(self, session: Session, items: Sequence[NewItem]) -> list[MemoryItem]:
        """Insert in the caller's transaction; the stored items come back with their ids."""
        rows = [_row(item) for item in items]
        session.add_all(rows)
        session.flush()
        return [_item(row) for row in rows]

    def get(self, ids: Iterable[int]) -> dict[int, MemoryItem]:
        """The items with these ids (missing ids are left out)."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        found: dict[int, MemoryItem] = {}
        with Session(self._engine) as session:
            for start in range(0, len(wanted), 500):
                query = select(MemoryItemRow).where(
                    MemoryItemRow.id.in_(wanted[start : start + 500])
                )
                found.update((row.id, _item(row)) for row in session.scalars(query))
        return found

    def by_source(self, tenant: str, kind: str, source: str) -> list[MemoryItem]:
        """Every item from one source, in position order."""
        query = (
            select(MemoryItemRow)
            .where(
                MemoryItemRow.tenant == tenant,
                MemoryItemRow.kind == kind,
                MemoryItemRow.source == source,
            )
            .order_by(MemoryItemRow.position)
        )
        with Session(self._engine) as session:
            return [_item(row) for row in session.scalars(query)]

    def outcomes(self, tenant: str, fingerprints: Iterable[str]) -> dict[str, tuple[int, int]]:
        """Successes and failures of every run of these plans, counted in the database.

        Counted, not loaded: a plan run a thousand times costs one row per outcome here,
        so recall does not slow down as the memory grows.
        """
        wanted = sorted(set(fingerprints))
        if not wanted:
            return {}
        outcome = MemoryItemRow.data["outcome"].as_string()
        query = (
            select(MemoryItemRow.fingerprint, outcome, func.count())
            .where(
                MemoryItemRow.tenant == tenant,
                MemoryItemRow.kind == ItemKind.PLAN,
                MemoryItemRow.fingerprint.in_(wanted),
            )
            .group_by(MemoryItemRow.fingerprint, outcome)
        )
        counts: dict[str, tuple[int, int]] = {}
        with Session(self._engine) as session:
            for print_, result, number in session.execute(query):
                successes, failures = counts.get(print_ or "", (0, 0))
                if result == "success":
                    successes += int(number)
                else:
                    failures += int(number)
                counts[print_ or ""] = (successes, failures)
        return counts

    def count(self, tenant: str | None, kind: str) -> int:
        """How many items of a kind a tenant (or everyone, for None) has."""
        query = select(func.count()).select_from(MemoryItemRow).where(MemoryItemRow.kind == kind)
        if tenant is not None:
            query = query.where(MemoryItemRow.tenant == tenant)
        with Session(self._engine) as session:
            return int(session.scalar(query) or 0)

    def recent(
        self,
        *,
        tenant: str,
        kinds: Sequence[str],
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 50,
    ) -> list[MemoryItem]:
        """Newest first, within a time range."""
        query = select(MemoryItemRow).where(
            MemoryItemRow.tenant == tenant, MemoryItemRow.kind.in_(list(kinds))
        )
        if since is not None:
            query = query.where(MemoryItemRow.created_at >= since)
        if until is not None:
            query = query.where(MemoryItemRow.created_at < until)
        query = query.order_by(MemoryItemRow.created_at.desc(), MemoryItemRow.id.desc())
        with Session(self._engine) as session:
            return [_item(row) for row in session.scalars(query.limit(limit))]

    def delete_in(self, session: Session, ids: Sequence[int]) -> None:
        """Delete in the caller's transaction (the index removes its vectors first)."""
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            session.execute(delete(MemoryItemRow).where(MemoryItemRow.id.in_(chunk)))

    def ids_of_source(self, session: Session, tenant: str, kind: str, source: str) -> list[int]:
        """Ids of one source's items, in the caller's transaction."""
        query = select(MemoryItemRow.id).where(
            MemoryItemRow.tenant == tenant,
            MemoryItemRow.kind == kind,
            MemoryItemRow.source == source,
        )
        return list(session.scalars(query))
