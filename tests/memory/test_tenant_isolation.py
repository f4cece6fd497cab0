"""Two tenants' plans and feedback in one database: neither reads the other's.

Memory's reads moved from the ORM to Core statements; each of them keeps its tenant
filter. Real SQLite and PostgreSQL, the real MiniLM.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from intelligent_office.memory.feedback import ratings_by_fingerprint
from intelligent_office.memory.index import Scope
from intelligent_office.memory.items import ItemKind, NewItem
from intelligent_office.memory.office_memory import OfficeMemory
from intelligent_office.store.schema import tasks_table

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
TEXT = "trace the request path of the sample app"


def _task(memory: OfficeMemory, task_id: str, owner: str) -> None:
    with memory.store.engine.begin() as connection:
        connection.execute(
            sa.insert(tasks_table).values(
                task_id=task_id,
                user_id=owner,
                description=TEXT,
                status="completed",
                body={},
                created_at=NOW,
                updated_at=NOW,
            )
        )


def _plan(owner: str, task_id: str, outcome: str) -> NewItem:
    return NewItem(
        tenant=owner,
        kind=ItemKind.PLAN,
        source=f"task/{task_id}/s1",
        title=TEXT,
        text=TEXT,
        created_at=NOW,
        fingerprint="same-plan",
        task_id=task_id,
        data={"outcome": outcome, "secret": f"{owner}'s"},
    )


def test_a_tenant_never_sees_another_tenants_plans_outcomes_or_ratings(
    memory: OfficeMemory,
) -> None:
    _task(memory, "t-alice", "alice")
    _task(memory, "t-bob", "bob")
    search = memory.search
    search.add([_plan("alice", "t-alice", "success")], embed=False)
    search.add([_plan("bob", "t-bob", "failure"), _plan("bob", "t-bob", "failure")], embed=False)
    memory.store.feedback.add(task_id="t-bob", user_id="bob", rating=1, comment="bad")
    memory.plans.feedback.sync()  # bob's feedback becomes bob's memory, not alice's
    search.index_pending()

    items = search.items
    assert items.count("alice", ItemKind.PLAN) == 1 and items.count("bob", ItemKind.PLAN) == 2
    assert items.count("alice", ItemKind.FEEDBACK) == 0
    assert items.count("bob", ItemKind.FEEDBACK) == 1
    assert items.outcomes("alice", ["same-plan"]) == {"same-plan": (1, 0)}
    assert items.outcomes("bob", ["same-plan"]) == {"same-plan": (0, 2)}
    assert ratings_by_fingerprint(memory.store.engine, "alice", ["same-plan"]) == {}
    assert ratings_by_fingerprint(memory.store.engine, "bob", ["same-plan"]) == {"same-plan": [1]}
    assert items.by_source("alice", ItemKind.PLAN, "task/t-bob/s1") == []
    recent = items.recent(tenant="alice", kinds=[ItemKind.PLAN, ItemKind.FEEDBACK])
    assert [item.data["secret"] for item in recent] == ["alice's"]

    scope = Scope("alice", (ItemKind.PLAN, ItemKind.FEEDBACK))
    nearest = search.nearest(search.embed_query(TEXT), scope, 10)
    assert [hit.item.tenant for hit in nearest] == ["alice"]
    for mode in ("vector", "keyword", "hybrid"):
        found = search.search("request path sample app", scope, 10, mode=mode)
        assert found and {hit.item.tenant for hit in found} == {"alice"}, mode
    # Removing bob's plans leaves alice's in place.
    assert search.remove_source("bob", ItemKind.PLAN, "task/t-alice/s1") == 0
    assert items.count("alice", ItemKind.PLAN) == 1


def test_a_large_insert_returns_each_item_its_own_id(memory: OfficeMemory) -> None:
    """INSERT ... RETURNING over more rows than one page of the driver's batches: each
    stored item comes back with its own row's id (its vector is stored under that id)."""
    items = [
        NewItem(
            tenant="alice" if n % 2 else "bob",
            kind=ItemKind.FEEDBACK,
            source=f"s{n}",
            title=f"t{n}",
            text=f"text {n}",
            created_at=NOW,
            position=n,
            data={"n": n},
        )
        for n in range(2345)
    ]
    stored = memory.search.add(items, embed=False)
    assert [(item.source, item.tenant) for item in stored] == [(i.source, i.tenant) for i in items]
    found = memory.search.items.get(item.id for item in stored)
    assert all(
        (found[item.id].source, found[item.id].tenant, found[item.id].data)
        == (i.source, i.tenant, i.data)
        for item, i in zip(stored, items, strict=True)
    )
