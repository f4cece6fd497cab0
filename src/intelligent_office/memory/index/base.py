"""The vector and keyword index beside `memory_items`: one implementation per database."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection

from intelligent_office.memory.embeddings.base import Vector

__all__ = ["IndexedVector", "Ranked", "Scope", "VectorIndex", "keyword_terms", "table_name"]


@dataclass(frozen=True)
class Scope:
    """Metadata filters every search applies: whose, which kinds, and when."""

    tenant: str | None
    """None searches every tenant (benchmarks and operators only)."""
    kinds: tuple[str, ...] = ()
    """Empty: every kind."""
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class IndexedVector:
    """An item's vector and the metadata the index filters on."""

    item_id: int
    tenant: str
    kind: str
    created_at: datetime
    vector: Vector = field(repr=False)


@dataclass(frozen=True)
class Ranked:
    """An item id with its score from one ranking (distance or keyword relevance)."""

    item_id: int
    score: float


class VectorIndex(Protocol):
    """Vectors of one embedder, and a keyword index, over `memory_items`."""

    def ensure(self) -> None:
        """Create the vector table and keyword index if they do not exist yet."""
        ...

    def add(self, connection: Connection, vectors: Sequence[IndexedVector]) -> None:
        """Store vectors in the caller's transaction."""
        ...

    def remove(self, connection: Connection, item_ids: Sequence[int]) -> None:
        """Drop the items' vectors (and keyword entries) in the caller's transaction."""
        ...

    def unindexed(self, kinds: Sequence[str], limit: int) -> list[int]:
        """Ids of items of these kinds that have no vector yet, oldest first."""
        ...

    def nearest(self, vector: Vector, k: int, scope: Scope) -> list[Ranked]:
        """The k nearest items by cosine distance (score: distance, smaller is nearer)."""
        ...

    def keyword(self, query: str, k: int, scope: Scope) -> list[Ranked]:
        """The k best keyword matches (score: relevance, larger is better)."""
        ...


_STOPWORDS = frozenset(
    """a about after all also an and any are as at be been before but by can could did do
    does for from had has have how i if in into is it its just me my no not of on or our
    out over said should so some than that the their them then there these they this to up
    us was we were what when where which while who why will with would you your""".split()
)
_WORD = re.compile(r"[a-z0-9]+")


def keyword_terms(query: str) -> list[str]:
    """The query's searchable words: lower case, letters and digits only, no stopwords."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(query.lower()):
        if word not in _STOPWORDS and len(word) > 1:
            seen.setdefault(word, None)
    return list(seen)


def table_name(embedder: str, dimensions: int) -> str:
    """`memory_vec_<model>_<dims>_<hash>`: one vector table per embedder."""
    slug = re.sub(r"[^a-z0-9]+", "_", embedder.lower()).strip("_")[:32]
    digest = hashlib.sha256(embedder.encode()).hexdigest()[:8]
    return f"memory_vec_{slug}_{dimensions}_{digest}"
