"""Retrieval quality on the labelled set: recall@5 with MiniLM (hybrid and vector-only), beside
the keyword-only baseline, on SQLite (sqlite-vec + FTS5) and PostgreSQL (pgvector + tsvector).

The figures are printed and written to test-artifacts/memory/retrieval-<database>.json.
"""

from __future__ import annotations

import json
from pathlib import Path

from intelligent_office.memory.index import Scope
from intelligent_office.memory.items import ItemKind
from intelligent_office.memory.office_memory import OfficeMemory
from intelligent_office.memory.search import SearchMode
from tests.memory.corpus import DOCUMENTS, QUERIES

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "memory"


def recall_at(memory: OfficeMemory, mode: SearchMode, k: int = 5) -> float:
    found = 0
    for question, relevant in QUERIES:
        hits = memory.search.search(question, Scope("alice", (ItemKind.DOCUMENT,)), k, mode=mode)
        names = {Path(hit.item.source).name for hit in hits}
        found += bool(names & relevant)
    return found / len(QUERIES)


def test_minilm_finds_the_answering_document_in_the_top_5_far_better_than_keywords(
    memory: OfficeMemory, tmp_path: Path
) -> None:
    for name, text in DOCUMENTS.items():
        (tmp_path / name).write_text(text)
    report = memory.ingest(tmp_path, tenant="alice")
    assert len(report.added) == len(DOCUMENTS) and report.chunks == len(DOCUMENTS)

    scores = {mode: recall_at(memory, mode) for mode in ("hybrid", "vector", "keyword")}

    database = memory.store.dialect
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    result = {
        "database": database,
        "documents": len(DOCUMENTS),
        "queries": len(QUERIES),
        "recall_at_5": scores,
    }
    (ARTIFACTS / f"retrieval-{database}.json").write_text(json.dumps(result, indent=2))
    print(f"\nrecall@5 on {database}: {scores}")
    assert scores["hybrid"] >= 0.9, scores
    assert scores["vector"] >= 0.9, scores
    # The questions are paraphrases: words alone do clearly worse.
    assert scores["keyword"] < scores["hybrid"], scores


def test_another_users_documents_are_never_found(memory: OfficeMemory, tmp_path: Path) -> None:
    (tmp_path / "backups.md").write_text(DOCUMENTS["backups.md"])
    memory.ingest(tmp_path, tenant="bob")

    scope = Scope("alice", (ItemKind.DOCUMENT,))
    assert memory.search.search("database backups", scope, 5) == []
    bob = memory.search.search("database backups", Scope("bob", (ItemKind.DOCUMENT,)), 5)
    assert [Path(hit.item.source).name for hit in bob] == ["backups.md"]
