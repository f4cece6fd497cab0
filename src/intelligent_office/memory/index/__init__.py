"""Vector and keyword indexes over memory items: sqlite-vec + FTS5, pgvector + tsvector."""

from __future__ import annotations

from sqlalchemy import Engine

from intelligent_office.memory.index.base import (
    IndexedVector,
    Ranked,
    Scope,
    VectorIndex,
    keyword_terms,
)
from intelligent_office.memory.index.fusion import fuse
from intelligent_office.memory.index.postgres import PgVectorIndex
from intelligent_office.memory.index.sqlite import SqliteVecIndex

__all__ = [
    "IndexedVector",
    "PgVectorIndex",
    "Ranked",
    "Scope",
    "SqliteVecIndex",
    "VectorIndex",
    "fuse",
    "index_for",
    "keyword_terms",
]


def index_for(engine: Engine, embedder: str, dimensions: int) -> VectorIndex:
    """The index implementation for the engine's database."""
    if engine.dialect.name == "postgresql":
        return PgVectorIndex(engine, embedder, dimensions)
    return SqliteVecIndex(engine, embedder, dimensions)
