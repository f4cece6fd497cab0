"""The index on SQLite: sqlite-vec (`vec0`) for vectors, FTS5 with BM25 for keywords.

The vec0 table carries the filter columns itself (tenant as a partition key, kind and
time as metadata), so a filtered k-nearest search is one query. FTS5 mirrors
`memory_items` through triggers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, Engine, bindparam, text

from intelligent_office.memory.embeddings.base import Vector
from intelligent_office.memory.embeddings.cache import pack
from intelligent_office.memory.index.base import (
    IndexedVector,
    Ranked,
    Scope,
    keyword_terms,
    table_name,
)
from intelligent_office.store.schema import UTCDateTime

__all__ = ["SqliteVecIndex"]

_FTS = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS memory_fts USING fts5(title, text,"
    " content='memory_items', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER IF NOT EXISTS memory_fts_insert AFTER INSERT ON memory_items BEGIN"
    " INSERT INTO memory_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS memory_fts_delete AFTER DELETE ON memory_items BEGIN"
    " INSERT INTO memory_fts(memory_fts, rowid, title, text)"
    " VALUES ('delete', old.id, old.title, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS memory_fts_update AFTER UPDATE ON memory_items BEGIN"
    " INSERT INTO memory_fts(memory_fts, rowid, title, text)"
    " VALUES ('delete', old.id, old.title, old.text);"
    " INSERT INTO memory_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
]


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


class SqliteVecIndex:
    """Vectors of one embedder in a vec0 table; keywords in `memory_fts`."""

    def __init__(self, engine: Engine, embedder: str, dimensions: int) -> None:
        self._engine = engine
        self.dimensions = dimensions
        self.table = table_name(embedder, dimensions)

    def ensure(self) -> None:
        """Create the vec0 table, the FTS5 table and its triggers (idempotent)."""
        with self._engine.begin() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM sqlite_master WHERE name = 'memory_fts'")
            ).first()
            for statement in _FTS:
                connection.exec_driver_sql(statement)
            if exists is None:  # items stored before the index existed
                connection.exec_driver_sql("INSERT INTO memory_fts(memory_fts) VALUES ('rebuild')")
            connection.exec_driver_sql(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.table} USING vec0("
                f" item_id integer primary key,"
                f" embedding float[{self.dimensions}] distance_metric=cosine,"
                f" tenant text partition key, kind text, created_at integer)"
            )

    def add(self, connection: Connection, vectors: Sequence[IndexedVector]) -> None:
        """Insert the vectors (vec0 has no upsert: an item's old vector is dropped first)."""
        if not vectors:
            return
        self.remove_vectors(connection, [v.item_id for v in vectors])
        connection.execute(
            text(
                f"INSERT INTO {self.table}(item_id, embedding, tenant, kind, created_at)"
                " VALUES (:item_id, :embedding, :tenant, :kind, :created_at)"
            ),
            [
                {
                    "item_id": v.item_id,
                    "embedding": pack(v.vector),
                    "tenant": v.tenant,
                    "kind": v.kind,
                    "created_at": _epoch(v.created_at),
                }
                for v in vectors
            ],
        )

    def remove_vectors(self, connection: Connection, item_ids: Sequence[int]) -> None:
        """Drop these items' vectors."""
        for start in range(0, len(item_ids), 500):
            chunk = list(item_ids[start : start + 500])
            marks = ", ".join(str(int(i)) for i in chunk)
            connection.execute(text(f"DELETE FROM {self.table} WHERE item_id IN ({marks})"))

    def remove(self, connection: Connection, item_ids: Sequence[int]) -> None:
        """Drop vectors; FTS entries go with the items (triggers)."""
        self.remove_vectors(connection, item_ids)

    def unindexed(self, kinds: Sequence[str], limit: int) -> list[int]:
        """Items of these kinds without a vector in this table."""
        names = [f"kind{i}" for i in range(len(kinds))]
        query = (
            f"SELECT id FROM memory_items WHERE kind IN ({', '.join(':' + n for n in names)})"
            f" AND id NOT IN (SELECT item_id FROM {self.table}) ORDER BY id LIMIT :limit"
        )
        params: dict[str, object] = {"limit": limit, **dict(zip(names, kinds, strict=True))}
        with self._engine.connect() as connection:
            return [int(row[0]) for row in connection.execute(text(query), params)]

    def nearest(self, vector: Vector, k: int, scope: Scope) -> list[Ranked]:
        """A filtered k-nearest query on vec0 (exact: sqlite-vec scans every vector)."""
        clauses = ["embedding MATCH :vector", "k = :k"]
        params: dict[str, object] = {"vector": pack(vector), "k": k}
        if scope.tenant is not None:
            clauses.append("tenant = :tenant")
            params["tenant"] = scope.tenant
        if scope.kinds:
            names = [f"kind{i}" for i in range(len(scope.kinds))]
            clauses.append(f"kind IN ({', '.join(':' + n for n in names)})")
            params.update(zip(names, scope.kinds, strict=True))
        if scope.since is not None:
            clauses.append("created_at >= :since")
            params["since"] = _epoch(scope.since)
        if scope.until is not None:
            clauses.append("created_at < :until")
            params["until"] = _epoch(scope.until)
        query = (
            f"SELECT item_id, distance FROM {self.table} WHERE {' AND '.join(clauses)}"
            " ORDER BY distance"
        )
        with self._engine.connect() as connection:
            rows = connection.execute(text(query), params)
            return [Ranked(int(item_id), float(distance)) for item_id, distance in rows]

    def keyword(self, query: str, k: int, scope: Scope) -> list[Ranked]:
        """FTS5 BM25 over any of the query's words (bm25() is negated: larger is better)."""
        terms = keyword_terms(query)
        if not terms:
            return []
        clauses = ["memory_fts MATCH :match"]
        params: dict[str, object] = {"match": " OR ".join(f'"{t}"' for t in terms), "k": k}
        if scope.tenant is not None:
            clauses.append("m.tenant = :tenant")
            params["tenant"] = scope.tenant
        if scope.kinds:
            names = [f"kind{i}" for i in range(len(scope.kinds))]
            clauses.append(f"m.kind IN ({', '.join(':' + n for n in names)})")
            params.update(zip(names, scope.kinds, strict=True))
        if scope.since is not None:
            clauses.append("m.created_at >= :since")
            params["since"] = scope.since
        if scope.until is not None:
            clauses.append("m.created_at < :until")
            params["until"] = scope.until
        sql = (
            "SELECT m.id, -bm25(memory_fts) AS score FROM memory_fts"
            " JOIN memory_items AS m ON m.id = memory_fts.rowid"
            f" WHERE {' AND '.join(clauses)} ORDER BY bm25(memory_fts) LIMIT :k"
        )
        statement = text(sql).bindparams(
            *(bindparam(name, type_=UTCDateTime()) for name in ("since", "until") if name in params)
        )
        with self._engine.connect() as connection:
            return [Ranked(int(i), float(s)) for i, s in connection.execute(statement, params)]
