"""Embeddings cached in the database by content hash, computed in batches.

The key is SHA-256 of the embedder's name and the text, so a text is embedded once per
model however many times it is ingested, recorded or searched for.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine, Insert, select

from intelligent_office.memory.embeddings.base import Embedder, Vector, cache_key
from intelligent_office.store.on_conflict import dialect_insert
from intelligent_office.store.schema import embedding_cache_table

__all__ = ["CachedEmbedder", "pack", "unpack"]

_LOOKUP_CHUNK = 500  # keys per IN (...) query: well under every database's parameter limit


def pack(vector: Vector) -> bytes:
    """float32, little-endian."""
    return struct.pack(f"<{len(vector)}f", *vector)


def unpack(data: bytes) -> Vector:
    """The inverse of `pack`."""
    return list(struct.unpack(f"<{len(data) // 4}f", data))


class CachedEmbedder:
    """An embedder in front of another: texts seen before come from the `embedding_cache`."""

    def __init__(self, inner: Embedder, engine: Engine, *, batch_size: int = 64) -> None:
        self.inner = inner
        self.batch_size = batch_size
        self._engine = engine
        self.computed = 0
        """Texts this cache sent to the model."""
        self.hits = 0
        """Texts it answered from the table."""

    @property
    def name(self) -> str:
        """The inner embedder's name."""
        return self.inner.name

    def dimensions(self) -> int:
        """The inner embedder's vector length."""
        return self.inner.dimensions()

    def key(self, text: str) -> str:
        """The cache key of `text` under this model."""
        return cache_key(self.name, text)

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        """One vector per text: cached ones read in bulk, the rest computed in batches."""
        keys = [self.key(text) for text in texts]
        found = self._lookup(set(keys))
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in found:
                missing.setdefault(key, text)
        self.hits += len(texts) - sum(1 for key in keys if key in missing)
        pending = list(missing.items())
        for start in range(0, len(pending), self.batch_size):
            batch = pending[start : start + self.batch_size]
            vectors = self.inner.embed([text for _, text in batch])
            self.computed += len(batch)
            fresh = {key: vector for (key, _), vector in zip(batch, vectors, strict=True)}
            self._store(fresh)
            found.update(fresh)
        return [found[key] for key in keys]

    def _lookup(self, keys: set[str]) -> dict[str, Vector]:
        ordered = sorted(keys)
        found: dict[str, Vector] = {}
        cache = embedding_cache_table.c  # Core: a run's recall never needs the ORM
        with self._engine.connect() as connection:
            for start in range(0, len(ordered), _LOOKUP_CHUNK):
                chunk = ordered[start : start + _LOOKUP_CHUNK]
                query = select(cache.key, cache.vector).where(cache.key.in_(chunk))
                found.update((key, unpack(data)) for key, data in connection.execute(query))
        return found

    def _store(self, vectors: dict[str, Vector]) -> None:
        if not vectors:
            return
        now = datetime.now(UTC)
        rows = [
            {
                "key": key,
                "model": self.name,
                "dimensions": len(vector),
                "vector": pack(vector),
                "created_at": now,
            }
            for key, vector in vectors.items()
        ]
        with self._engine.begin() as connection:
            connection.execute(_insert_ignoring_duplicates(self._engine), rows)


def _insert_ignoring_duplicates(engine: Engine) -> Insert:
    # Two processes may embed the same text at once: the first row wins, both are equal.
    return dialect_insert(engine.dialect.name, embedding_cache_table).on_conflict_do_nothing()
