"""The index on PostgreSQL: pgvector (HNSW, cosine) for vectors, tsvector and GIN for keywords.

A filtered nearest-neighbour query uses HNSW with iterative scans (pgvector >= 0.8), so a
narrow filter still returns k rows. Each item's tsvector is computed once, by a trigger,
into `memory_tsv` (ranking parsed text again for every candidate is far too slow).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Engine, TextClause, bindparam, text
from sqlalchemy.exc import DBAPIError

from intelligent_office.errors import ConfigError
from intelligent_office.memory.embeddings.base import Vector
from intelligent_office.memory.index.base import (
    IndexedVector,
    Ranked,
    Scope,
    keyword_terms,
    table_name,
)
from intelligent_office.store.schema import UTCDateTime

__all__ = ["PgVectorIndex"]

_TSVECTOR = "to_tsvector('english', NEW.title || ' ' || NEW.text)"
_KEYWORDS = [
    "CREATE TABLE IF NOT EXISTS memory_tsv (item_id integer PRIMARY KEY"
    " REFERENCES memory_items(id) ON DELETE CASCADE, tsv tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS memory_tsv_gin ON memory_tsv USING gin (tsv)",
    "CREATE OR REPLACE FUNCTION memory_tsv_sync() RETURNS trigger LANGUAGE plpgsql AS $$"
    f" BEGIN INSERT INTO memory_tsv (item_id, tsv) VALUES (NEW.id, {_TSVECTOR})"
    " ON CONFLICT (item_id) DO UPDATE SET tsv = EXCLUDED.tsv; RETURN NEW; END $$",
    "CREATE OR REPLACE TRIGGER memory_tsv_sync AFTER INSERT OR UPDATE OF title, text"
    " ON memory_items FOR EACH ROW EXECUTE FUNCTION memory_tsv_sync()",
]
_BACKFILL = (
    "INSERT INTO memory_tsv (item_id, tsv) SELECT id, to_tsvector('english', title || ' ' ||"
    " text) FROM memory_items ON CONFLICT (item_id) DO NOTHING"
)
_LOCK = 720131  # an advisory lock: two processes creating the index at once take turns


def _literal(vector: Vector) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in vector) + "]"


def _filters(scope: Scope, alias: str, params: dict[str, object]) -> list[str]:
    clauses: list[str] = []
    if scope.tenant is not None:
        clauses.append(f"{alias}.tenant = :tenant")
        params["tenant"] = scope.tenant
    if scope.kinds:
        clauses.append(f"{alias}.kind IN :kinds")
        params["kinds"] = list(scope.kinds)
    if scope.since is not None:
        clauses.append(f"{alias}.created_at >= :since")
        params["since"] = scope.since
    if scope.until is not None:
        clauses.append(f"{alias}.created_at < :until")
        params["until"] = scope.until
    return clauses


def _bind(sql: str, params: dict[str, object]) -> TextClause:
    statement = text(sql)
    if "kinds" in params:
        statement = statement.bindparams(bindparam("kinds", expanding=True))
    for name in ("since", "until"):
        if name in params:
            statement = statement.bindparams(bindparam(name, type_=UTCDateTime()))
    return statement


class PgVectorIndex:
    """Vectors of one embedder in a pgvector table; keywords by a GIN tsvector index."""

    def __init__(self, engine: Engine, embedder: str, dimensions: int) -> None:
        self._engine = engine
        self.dimensions = dimensions
        self.table = table_name(embedder, dimensions)

    def ensure(self) -> None:
        """Create the extension, the vector table with its HNSW index, and the GIN index."""
        try:
            with self._engine.begin() as connection:
                connection.execute(text(f"SELECT pg_advisory_xact_lock({_LOCK})"))
                connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS vector")
                connection.exec_driver_sql(
                    f"CREATE TABLE IF NOT EXISTS {self.table} ("
                    " item_id integer PRIMARY KEY REFERENCES memory_items(id) ON DELETE CASCADE,"
                    " tenant varchar(128) NOT NULL, kind varchar(32) NOT NULL,"
                    " created_at timestamptz NOT NULL,"
                    f" embedding vector({self.dimensions}) NOT NULL)"
                )
                connection.exec_driver_sql(
                    f"CREATE INDEX IF NOT EXISTS {self.table}_hnsw ON {self.table}"
                    " USING hnsw (embedding vector_cosine_ops)"
                )
                connection.exec_driver_sql(
                    f"CREATE INDEX IF NOT EXISTS {self.table}_scope ON {self.table} (tenant, kind)"
                )
                exists = connection.exec_driver_sql(
                    "SELECT to_regclass('memory_tsv') IS NOT NULL"
                ).scalar()
                for statement in _KEYWORDS:
                    connection.exec_driver_sql(statement)
                if not exists:  # items stored before the keyword index existed
                    connection.exec_driver_sql(_BACKFILL)
        except DBAPIError as error:
            raise ConfigError(
                f"memory needs the pgvector extension in PostgreSQL ({error.orig}):"
                " install pgvector on the server, or use a SQLite database"
            ) from None

    def add(self, connection: Connection, vectors: Sequence[IndexedVector]) -> None:
        """Insert or replace the vectors."""
        if not vectors:
            return
        connection.execute(
            text(
                f"INSERT INTO {self.table}(item_id, tenant, kind, created_at, embedding)"
                " VALUES (:item_id, :tenant, :kind, :created_at, CAST(:embedding AS vector))"
                " ON CONFLICT (item_id) DO UPDATE SET embedding = EXCLUDED.embedding"
            ).bindparams(bindparam("created_at", type_=UTCDateTime())),
            [
                {
                    "item_id": v.item_id,
                    "tenant": v.tenant,
                    "kind": v.kind,
                    "created_at": v.created_at,
                    "embedding": _literal(v.vector),
                }
                for v in vectors
            ],
        )

    def remove(self, connection: Connection, item_ids: Sequence[int]) -> None:
        """Nothing to do: the vectors go with their items (ON DELETE CASCADE)."""

    def unindexed(self, kinds: Sequence[str], limit: int) -> list[int]:
        """Items of these kinds without a vector in this table."""
        sql = (
            f"SELECT m.id FROM memory_items AS m LEFT JOIN {self.table} AS v ON v.item_id = m.id"
            " WHERE m.kind IN :kinds AND v.item_id IS NULL ORDER BY m.id LIMIT :limit"
        )
        params: dict[str, object] = {"kinds": list(kinds), "limit": limit}
        with self._engine.connect() as connection:
            rows = connection.execute(_bind(sql, params), params)
            return [int(row[0]) for row in rows]

    def nearest(self, vector: Vector, k: int, scope: Scope) -> list[Ranked]:
        """HNSW k-nearest with the filters, re-sorted (iterative scans may relax the order)."""
        params: dict[str, object] = {"vector": _literal(vector), "k": k}
        clauses = _filters(scope, "v", params)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = (
            f"SELECT v.item_id, v.embedding <=> CAST(:vector AS vector) AS distance"
            f" FROM {self.table} AS v {where} ORDER BY distance LIMIT :k"
        )
        with self._engine.begin() as connection:
            connection.exec_driver_sql("SET LOCAL hnsw.iterative_scan = relaxed_order")
            connection.exec_driver_sql(f"SET LOCAL hnsw.ef_search = {max(40, 2 * k)}")
            rows = connection.execute(_bind(sql, params), params)
            ranked = [Ranked(int(item_id), float(distance)) for item_id, distance in rows]
        return sorted(ranked, key=lambda r: r.score)

    def keyword(self, query: str, k: int, scope: Scope) -> list[Ranked]:
        """ts_rank over any of the query's words, on the stored tsvectors."""
        terms = keyword_terms(query)
        if not terms:
            return []
        params: dict[str, object] = {"query": " | ".join(terms), "k": k}
        clauses = ["t.tsv @@ q", *_filters(scope, "m", params)]
        sql = (
            "SELECT m.id, ts_rank(t.tsv, q) AS score"
            " FROM memory_tsv AS t JOIN memory_items AS m ON m.id = t.item_id,"
            " to_tsquery('english', :query) AS q"
            f" WHERE {' AND '.join(clauses)} ORDER BY score DESC, m.id LIMIT :k"
        )
        with self._engine.connect() as connection:
            rows = connection.execute(_bind(sql, params), params)
            return [Ranked(int(item_id), float(score)) for item_id, score in rows]
