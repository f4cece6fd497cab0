"""Feedback in memory: ratings weigh plans' reuse scores; comments are embedded for recall.

Feedback rows come from `office feedback` and from the API's endpoint (which writes the
`feedback` table only); `sync` copies new rows into memory before memory is searched.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from intelligent_office.memory.items import ItemKind, NewItem
from intelligent_office.memory.search import MemorySearch
from intelligent_office.store.tables import FeedbackRow, MemoryItemRow, TaskRow

__all__ = ["FeedbackMemory", "ratings_by_fingerprint"]


def ratings_by_fingerprint(
    engine: Engine, tenant: str, fingerprints: Iterable[str]
) -> dict[str, list[int]]:
    """Every rating given to a task that ran each of these plans (once per feedback)."""
    wanted = sorted(set(fingerprints))
    if not wanted:
        return {}
    query = (
        select(MemoryItemRow.fingerprint, FeedbackRow.id, FeedbackRow.rating)
        .join(FeedbackRow, FeedbackRow.task_id == MemoryItemRow.task_id)
        .where(
            MemoryItemRow.tenant == tenant,
            MemoryItemRow.kind == ItemKind.PLAN,
            MemoryItemRow.fingerprint.in_(wanted),
            FeedbackRow.rating.is_not(None),
        )
        .distinct()
    )
    ratings: dict[str, list[int]] = {}
    with Session(engine) as session:
        for print_, _, rating in session.execute(query):
            if rating is not None:
                ratings.setdefault(print_ or "", []).append(int(rating))
    return ratings


class FeedbackMemory:
    """Copies feedback rows into memory items (kind `feedback`, position = feedback id)."""

    def __init__(self, search: MemorySearch) -> None:
        self.search = search

    def sync(self) -> int:
        """Remember feedback not remembered yet; how many pieces."""
        remembered = select(MemoryItemRow.position).where(MemoryItemRow.kind == ItemKind.FEEDBACK)
        query = (
            select(FeedbackRow, TaskRow.user_id, TaskRow.description)
            .join(TaskRow, TaskRow.task_id == FeedbackRow.task_id)
            .where(FeedbackRow.id.not_in(remembered))
            .order_by(FeedbackRow.id)
        )
        with Session(self.search.engine) as session:
            rows: list[tuple[FeedbackRow, str, str]] = [
                (row[0], row[1], row[2]) for row in session.execute(query)
            ]
        items = [
            NewItem(
                tenant=owner,
                kind=ItemKind.FEEDBACK,
                source=f"feedback/{row.id}",
                position=row.id,
                title=description,
                text=_text(description, row.rating, row.comment),
                created_at=row.created_at or datetime.now(UTC),
                task_id=row.task_id,
                data={"rating": row.rating, "comment": row.comment, "by": row.user_id},
            )
            for row, owner, description in rows
        ]
        if items:
            self.search.add(items, embed=False)
        return len(items)


def _text(description: str, rating: int | None, comment: str) -> str:
    said = f" Rated {rating}/5." if rating is not None else ""
    return f"Feedback on the task: {description}.{said} {comment}".strip()
