"""Storing and finding memory items: embed, index, and search by vector, keyword or both."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import Engine

from intelligent_office.memory.embeddings.base import Embedder, Vector
from intelligent_office.memory.index import (
    IndexedVector,
    Ranked,
    Scope,
    VectorIndex,
    fuse,
    index_for,
)
from intelligent_office.memory.items import ItemKind, MemoryItem, MemoryItems, NewItem

__all__ = ["Hit", "MemorySearch", "SearchMode"]

SearchMode = Literal["hybrid", "vector", "keyword"]
_LAZY_KINDS = (ItemKind.PLAN, ItemKind.FEEDBACK)
"""Kinds stored without a vector and embedded before the next search (never on the way in)."""


@dataclass(frozen=True)
class Hit:
    """A found item with how it ranked."""

    item: MemoryItem
    score: float
    similarity: float | None = None
    """Cosine similarity to the query (when the vector search found it)."""


class MemorySearch:
    """Memory items, their vectors under one embedder, and search over them."""

    def __init__(
        self,
        engine: Engine,
        embedder: Embedder,
        *,
        recency_weight: float = 0.0,
        half_life_days: float = 30.0,
    ) -> None:
        self.engine = engine
        self.embedder = embedder
        self.items = MemoryItems(engine)
        self.recency_weight = recency_weight
        self.half_life_days = half_life_days
        self._index: VectorIndex | None = None
        self._lock = threading.Lock()

    @property
    def index(self) -> VectorIndex:
        """The vector index, created on first use (its shape needs the embedder's size)."""
        with self._lock:
            if self._index is None:
                index = index_for(self.engine, self.embedder.name, self.embedder.dimensions())
                index.ensure()
                self._index = index
            return self._index

    def add(self, items: Sequence[NewItem], *, embed: bool = True) -> list[MemoryItem]:
        """Store items; with `embed`, their vectors go in the same transaction."""
        vectors = self.embedder.embed([item.text for item in items]) if embed and items else []
        index = self.index if embed else None
        with self.engine.begin() as connection:
            stored = self.items.insert(connection, items)
            if index is not None:
                index.add(connection, _indexed(stored, vectors))
        return stored

    def replace_source(
        self,
        tenant: str,
        kind: str,
        source: str,
        items: Sequence[NewItem],
        vectors: Sequence[Vector] | None = None,
    ) -> list[MemoryItem]:
        """Swap one source's items for new ones (a changed file), atomically.

        `vectors` are the items' embeddings when the caller computed them in a batch.
        """
        if vectors is None:
            vectors = self.embedder.embed([item.text for item in items]) if items else []
        index = self.index
        with self.engine.begin() as connection:
            old = self.items.ids_of_source(connection, tenant, kind, source)
            index.remove(connection, old)
            self.items.delete_in(connection, old)
            stored = self.items.insert(connection, items)
            index.add(connection, _indexed(stored, vectors))
        return stored

    def remove_source(self, tenant: str, kind: str, source: str) -> int:
        """Forget one source's items; how many there were."""
        index = self.index
        with self.engine.begin() as connection:
            old = self.items.ids_of_source(connection, tenant, kind, source)
            index.remove(connection, old)
            self.items.delete_in(connection, old)
        return len(old)

    def index_pending(self, *, limit: int = 512) -> int:
        """Embed items stored without a vector (plan records, feedback); how many."""
        ids = self.index.unindexed(_LAZY_KINDS, limit)
        if not ids:
            return 0
        found = self.items.get(ids)
        items = [found[i] for i in ids if i in found]
        vectors = self.embedder.embed([item.text for item in items])
        with self.engine.begin() as connection:
            self.index.add(connection, _indexed(items, vectors))
        return len(items)

    def embed_query(self, query: str) -> Vector:
        """The query's vector (cached like any text)."""
        return self.embedder.embed([query])[0]

    def nearest(self, vector: Vector, scope: Scope, k: int) -> list[Hit]:
        """The k items nearest to a vector, with their cosine similarity."""
        ranked = self.index.nearest(vector, k, scope)
        found = self.items.get(r.item_id for r in ranked)
        return [
            Hit(found[r.item_id], score=1.0 - r.score, similarity=1.0 - r.score)
            for r in ranked
            if r.item_id in found
        ]

    def search(
        self, query: str, scope: Scope, k: int = 5, *, mode: SearchMode = "hybrid"
    ) -> list[Hit]:
        """The k best items for a query: vector, keyword, or both fused (with recency)."""
        pool = max(k * 4, 20)
        vector_ranking: list[Ranked] = []
        keyword_ranking: list[Ranked] = []
        if mode in ("hybrid", "vector"):
            vector_ranking = self.index.nearest(self.embed_query(query), pool, scope)
        if mode in ("hybrid", "keyword"):
            keyword_ranking = self.index.keyword(query, pool, scope)
        rankings = [r for r in (vector_ranking, keyword_ranking) if r]
        candidates = {r.item_id for ranking in rankings for r in ranking}
        found = self.items.get(candidates)
        fused = fuse(
            rankings,
            created={i: item.created_at for i, item in found.items()},
            now=datetime.now(UTC),
            recency_weight=self.recency_weight if mode == "hybrid" else 0.0,
            half_life_days=self.half_life_days,
        )
        similarity = {r.item_id: 1.0 - r.score for r in vector_ranking}
        return [
            Hit(found[item_id], score=score, similarity=similarity.get(item_id))
            for item_id, score in fused[:k]
            if item_id in found
        ]


def _indexed(items: Sequence[MemoryItem], vectors: Sequence[Vector]) -> list[IndexedVector]:
    return [
        IndexedVector(item.id, item.tenant, item.kind, item.created_at, vector)
        for item, vector in zip(items, vectors, strict=True)
    ]
