"""Search filters and ranking on both databases: tenant, kind, time range, recency, removal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from intelligent_office.memory.embeddings import CachedEmbedder, HashingEmbedder
from intelligent_office.memory.index import Scope
from intelligent_office.memory.items import NewItem
from intelligent_office.memory.search import MemorySearch, SearchMode
from intelligent_office.store import Store

NOW = datetime.now(UTC)


def item(source: str, text: str, *, days_ago: float = 0, kind: str = "document") -> NewItem:
    return NewItem(
        tenant="alice",
        kind=kind,
        source=source,
        title=source,
        text=text,
        created_at=NOW - timedelta(days=days_ago),
    )


def sources(
    search: MemorySearch, query: str, scope: Scope, mode: SearchMode = "hybrid"
) -> list[str]:
    return [hit.item.source for hit in search.search(query, scope, 10, mode=mode)]


def test_filters_by_kind_and_time_and_prefers_recent_among_equals(store: Store) -> None:
    search = MemorySearch(
        store.engine, CachedEmbedder(HashingEmbedder(64), store.engine), recency_weight=0.5
    )
    search.add(
        [
            item("old.md", "quarterly report on revenue", days_ago=40),
            item("new.md", "quarterly report on revenue", days_ago=1),
            item("mid.md", "quarterly report on revenue", days_ago=10),
            item("plan", "quarterly report on revenue", kind="plan"),
        ]
    )
    documents = Scope("alice", ("document",))

    assert sources(search, "quarterly revenue report", documents)[:3] == [
        "new.md",
        "mid.md",
        "old.md",
    ]
    week = Scope("alice", ("document",), since=NOW - timedelta(days=7))
    assert sources(search, "quarterly revenue report", week) == ["new.md"]
    window = Scope("alice", ("document",), NOW - timedelta(days=20), NOW - timedelta(days=5))
    assert sources(search, "revenue", window) == ["mid.md"]
    assert sources(search, "revenue", window, "vector") == ["mid.md"]
    assert sources(search, "revenue", window, "keyword") == ["mid.md"]
    assert sources(search, "revenue", Scope("alice", ("plan",))) == ["plan"]
    assert sources(search, "revenue", Scope("bob")) == []

    assert search.remove_source("alice", "document", "new.md") == 1
    assert "new.md" not in sources(search, "quarterly revenue report", documents)
    assert sorted(sources(search, "revenue", documents, "keyword")) == ["mid.md", "old.md"]
