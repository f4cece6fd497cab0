"""Memory items: the rows a search can return (plan records, document chunks, feedback)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, delete, func, insert, select

from intelligent_office.store.schema import memory_items_table

__all__ = ["ItemKind", "MemoryItem", "MemoryItems", "NewItem", "location_of"]

_table = memory_items_table
_items = memory_items_table.c


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


def _item(row: Row[Any]) -> MemoryItem:
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


_NEW_FIELDS = tuple(f.name for f in fields(NewItem))


def _row(item: NewItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in _NEW_FIELDS}


def _stored(item: NewItem, item_id: int) -> MemoryItem:
    stored = _row(item)
    stored["location"], stored["data"] = dict(item.location), dict(item.data)
    return MemoryItem(**stored, id=item_id)


class MemoryItems:
    """Reads and writes `memory_items`; vectors and keyword indexes follow via the index.

    Core statements: a run recalls and remembers plans through these, and a run never
    needs SQLAlchemy's ORM.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def insert(self, connection: Connection, items: Sequence[NewItem]) -> list[MemoryItem]:
        """Insert in the caller's transaction; the stored items come back with their ids."""
        if not items:
            return []
        # One statement for them all; RETURNING in the order of the rows given.
        statement = insert(_table).returning(_items.id, sort_by_parameter_order=True)
        ids = connection.execute(statement, [_row(item) for item in items]).scalars().all()
        return [_stored(item, int(item_id)) for item, item_id in zip(items, ids, strict=True)]

    def get(self, ids: Iterable[int]) -> dict[int, MemoryItem]:
        """The items with these ids (missing ids are left out)."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        found: dict[int, MemoryItem] = {}
        with self._engine.connect() as connection:
            for start in range(0, len(wanted), 500):
                query = select(_table).where(_items.id.in_(wanted[start : start + 500]))
                found.update((row.id, _item(row)) for row in connection.execute(query))
        return found

    def by_source(self, tenant: str, kind: str, source: str) -> list[MemoryItem]:
        """Every item from one source, in position order."""
        query = (
            select(_table)
            .where(_items.tenant == tenant, _items.kind == kind, _items.source == source)
            .order_by(_items.position)
        )
        with self._engine.connect() as connection:
            return [_item(row) for row in connection.execute(query)]

    def outcomes(self, tenant: str, fingerprints: Iterable[str]) -> dict[str, tuple[int, int]]:
        """Successes and failures of every run of these plans, counted in the database.

        Counted, not loaded: a plan run a thousand times costs one row per outcome here,
        so recall does not slow down as the memory grows.
        """
        wanted = sorted(set(fingerprints))
        if not wanted:
            return {}
        outcome = _items.data["outcome"].as_string()
        query = (
            select(_items.fingerprint, outcome, func.count())
            .where(
                _items.tenant == tenant,
                _items.kind == ItemKind.PLAN,
                _items.fingerprint.in_(wanted),
            )
            .group_by(_items.fingerprint, outcome)
        )
        counts: dict[str, tuple[int, int]] = {}
        with self._engine.connect() as connection:
            for print_, result, number in connection.execute(query):
                successes, failures = counts.get(print_ or "", (0, 0))
                if result == "success":
                    successes += int(number)
                else:
                    failures += int(number)
                counts[print_ or ""] = (successes, failures)
        return counts

    def count(self, tenant: str | None, kind: str) -> int:
        """How many items of a kind a tenant (or everyone, for None) has."""
        query = select(func.count()).select_from(_table).where(_items.kind == kind)
        if tenant is not None:
            query = query.where(_items.tenant == tenant)
        with self._engine.connect() as connection:
            return int(connection.scalar(query) or 0)

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
        query = select(_table).where(_items.tenant == tenant, _items.kind.in_(list(kinds)))
        if since is not None:
            query = query.where(_items.created_at >= since)
        if until is not None:
            query = query.where(_items.created_at < until)
        query = query.order_by(_items.created_at.desc(), _items.id.desc())
        with self._engine.connect() as connection:
            return [_item(row) for row in connection.execute(query.limit(limit))]

    def delete_in(self, connection: Connection, ids: Sequence[int]) -> None:
        """Delete in the caller's transaction (the index removes its vectors first)."""
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            connection.execute(delete(_table).where(_items.id.in_(chunk)))

    def ids_of_source(
        self, connection: Connection, tenant: str, kind: str, source: str
    ) -> list[int]:
        """Ids of one source's items, in the caller's transaction."""
        query = select(_items.id).where(
            _items.tenant == tenant, _items.kind == kind, _items.source == source
        )
        return list(connection.scalars(query))
