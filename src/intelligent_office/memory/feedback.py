"""Feedback in memory: ratings weigh plans' reuse scores; comments are embedded for recall.

Feedback rows come from `office feedback` and from the API's endpoint (which writes the
`feedback` table only); `sync` copies new rows into memory before memory is searched.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Engine, select

from intelligent_office.memory.items import ItemKind, NewItem
from intelligent_office.memory.search import MemorySearch
from intelligent_office.store.schema import feedback_table, memory_items_table, tasks_table

__all__ = ["FeedbackMemory", "ratings_by_fingerprint"]

# Core tables: a run's recall reads these, and a run never needs SQLAlchemy's ORM.
_feedback, _items, _tasks = feedback_table.c, memory_items_table.c, tasks_table.c


def ratings_by_fingerprint(
    engine: Engine, tenant: str, fingerprints: Iterable[str]
) -> dict[str, list[int]]:
    """Every rating given to a task that ran each of these plans (once per feedback)."""
    wanted = sorted(set(fingerprints))
    if not wanted:
        return {}
    query = (
        select(_items.fingerprint, _feedback.id, _feedback.rating)
        .select_from(memory_items_table)
        .join(feedback_table, _feedback.task_id == _items.task_id)
        .where(
            _items.tenant == tenant,
            _items.kind == ItemKind.PLAN,
            _items.fingerprint.in_(wanted),
            _feedback.rating.is_not(None),
        )
        .distinct()
    )
    ratings: dict[str, list[int]] = {}
    with engine.connect() as connection:
        for print_, _, rating in connection.execute(query):
            if rating is not None:
                ratings.setdefault(print_ or "", []).append(int(rating))
    return ratings


class FeedbackMemory:
    """Copies feedback rows into memory items (kind `feedback`, position = feedback id)."""

    def __init__(self, search: MemorySearch) -> None:
        self.search = search

    def sync(self) -> int:
        """Remember feedback not remembered yet; how many pieces."""
        remembered = select(_items.position).where(_items.kind == ItemKind.FEEDBACK)
        query = (
            select(feedback_table, _tasks.user_id.label("owner"), _tasks.description)
            .join(tasks_table, _tasks.task_id == _feedback.task_id)
            .where(_feedback.id.not_in(remembered))
            .order_by(_feedback.id)
        )
        with self.search.engine.connect() as connection:
            rows = connection.execute(query).all()
        items = [
            NewItem(
                tenant=row.owner,
                kind=ItemKind.FEEDBACK,
                source=f"feedback/{row.id}",
                position=row.id,
                title=row.description,
                text=_text(row.description, row.rating, row.comment),
                created_at=row.created_at or datetime.now(UTC),
                task_id=row.task_id,
                data={"rating": row.rating, "comment": row.comment, "by": row.user_id},
            )
            for row in rows
        ]
        if items:
            self.search.add(items, embed=False)
        return len(items)


def _text(description: str, rating: int | None, comment: str) -> str:
    said = f" Rated {rating}/5." if rating is not None else ""
    return f"Feedback on the task: {description}.{said} {comment}".strip()
