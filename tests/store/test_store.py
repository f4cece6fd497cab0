"""The store's contract, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from intelligent_office.errors import ConfigError, LeaseLost
from intelligent_office.store import Batch, JournalEntry, PendingEvent, RunStatus, Store
from intelligent_office.store.db import normalize_url


def test_migrations_are_idempotent_and_keep_data(store: Store, database_url: str) -> None:
    store.tasks.create(task_id="t1", user_id="u", description="keep me")
    reopened = Store.open(database_url)  # migrates again: nothing to do, nothing lost
    task = reopened.tasks.get("t1")
    assert task is not None and task.description == "keep me"
    reopened.close()


def test_idempotency_key_returns_the_same_task(store: Store) -> None:
    first, created = store.tasks.create(
        task_id="a", user_id="u", description="x", idempotency_key="k1"
    )
    second, created_again = store.tasks.create(
        task_id="b", user_id="u", description="y", idempotency_key="k1"
    )
    assert (created, created_again) == (True, False)
    assert second.task_id == first.task_id == "a"
    assert [t.task_id for t in store.tasks.recent()] == ["a"]


def test_idempotency_keys_belong_to_their_user(store: Store) -> None:
    mine, _ = store.tasks.create(task_id="a", user_id="a", description="x", idempotency_key="b:k1")
    theirs, created = store.tasks.create(
        task_id="b", user_id="a:b", description="y", idempotency_key="k1"
    )
    assert created and theirs.task_id == "b"
    assert store.tasks.by_idempotency_key("a", "b:k1") == mine
    assert store.tasks.by_idempotency_key("a:b", "k1") == theirs
    assert store.tasks.by_idempotency_key("a", "k1") is None


def test_timestamps_come_back_as_aware_utc(store: Store) -> None:
    task, _ = store.tasks.create(task_id="t", user_id="u", description="d")
    stored = store.tasks.get("t")
    assert stored is not None and stored.created_at.tzinfo is not None
    assert stored.created_at == task.created_at
    assert abs((datetime.now(UTC) - stored.created_at).total_seconds()) < 60


def _event(task_id: str, run_id: str, key: str) -> PendingEvent:
    return PendingEvent(
        task_id=task_id, run_id=run_id, type="x", time=datetime.now(UTC), dedup_key=key
    )


def test_event_sequence_is_strictly_increasing_under_concurrent_writers(store: Store) -> None:
    store.tasks.create(task_id="t", user_id="u", description="d")
    for run_id in ("r1", "r2", "r3"):
        store.runs.create(run_id=run_id, task_id="t", workflow="w", input={})

    def write(run_id: str) -> None:
        for index in range(20):
            batch = Batch(run_id=run_id, owner=None, lease_seconds=30)
            batch.events = [_event("t", run_id, f"{run_id}/{index}/{n}") for n in range(3)]
            store.journal.write([batch])

    threads = [threading.Thread(target=write, args=(r,)) for r in ("r1", "r2", "r3")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    events = store.events.read("t", limit=1000)
    assert [e.seq for e in events] == list(range(1, 181))
    # Within each run, events keep the order they were emitted in.
    for run_id in ("r1", "r2", "r3"):
        mine = [e for e in events if e.run_id == run_id]
        assert len(mine) == 60


def test_journal_write_is_fenced_by_the_lease(store: Store) -> None:
    store.tasks.create(task_id="t", user_id="u", description="d")
    store.runs.create(run_id="r", task_id="t", workflow="w", input={})
    assert store.runs.claim("r", "worker-a", 30)
    assert not store.runs.claim("r", "worker-b", 30)  # one claimant wins
    entry = JournalEntry(key="k1", activity="a", ok=True, output={"v": 1})
    store.journal.write([Batch("r", "worker-a", 30, entries=[entry])])
    stolen = JournalEntry(key="k2", activity="a", ok=True, output={"v": 2})
    with pytest.raises(LeaseLost):
        store.journal.write([Batch("r", "worker-b", 30, entries=[stolen])])
    assert set(store.journal.load("r")) == {"k1"}
    assert store.runs.finish("r", "worker-a", RunStatus.COMPLETED, result={"ok": True})
    record = store.runs.get("r")
    assert record is not None and record.status is RunStatus.COMPLETED
    assert record.lease_owner is None and record.starts == 1


def test_a_commit_that_only_checks_the_lease_is_fenced_too(store: Store) -> None:
    store.tasks.create(task_id="t", user_id="u", description="d")
    store.runs.create(run_id="r", task_id="t", workflow="w", input={})
    assert store.runs.claim("r", "worker-a", 30)
    expires = store.runs.require("r").lease_expires_at
    event = PendingEvent(
        task_id="t", run_id="r", type="x", time=datetime.now(UTC), dedup_key="r/x", payload={}
    )
    entry = JournalEntry(key="k1", activity="a", ok=True, output={"v": 1})
    store.journal.write([Batch("r", "worker-a", 30, entries=[entry], renew=False)])
    assert store.runs.require("r").lease_expires_at == expires  # checked, not extended
    stolen = JournalEntry(key="k2", activity="a", ok=True, output={"v": 2})
    with pytest.raises(LeaseLost):
        store.journal.write(
            [Batch("r", "worker-b", 30, entries=[stolen], events=[event], renew=False)]
        )
    assert set(store.journal.load("r")) == {"k1"}
    assert store.events.read("t") == []  # the failed commit wrote nothing


def test_a_check_only_commit_of_events_alone_is_fenced_and_numbers_them(store: Store) -> None:
    store.tasks.create(task_id="t", user_id="u", description="d")
    store.runs.create(run_id="r", task_id="t", workflow="w", input={})
    assert store.runs.claim("r", "worker-a", 30)

    def event(name: str, task_id: str = "t") -> PendingEvent:
        return PendingEvent(
            task_id=task_id, run_id="r", type=name, time=datetime.now(UTC), dedup_key=f"r/{name}"
        )

    store.journal.write([Batch("r", "worker-a", 30, events=[event("a"), event("b")], renew=False)])
    store.journal.write([Batch("r", "worker-a", 30, events=[event("c")], renew=False)])
    assert [(e.type, e.seq) for e in store.events.read("t")] == [("a", 1), ("b", 2), ("c", 3)]
    task = store.tasks.get("t")
    assert task is not None and task.event_seq == 3
    with pytest.raises(LeaseLost):
        store.journal.write([Batch("r", "worker-b", 30, events=[event("d")], renew=False)])
    with pytest.raises(LookupError, match="no task"):
        store.journal.write(
            [Batch("r", "worker-a", 30, events=[event("e", task_id="gone")], renew=False)]
        )
    assert [e.type for e in store.events.read("t")] == ["a", "b", "c"]
    task = store.tasks.get("t")
    assert task is not None and task.event_seq == 3


def test_signals_first_one_wins(store: Store) -> None:
    store.tasks.create(task_id="t", user_id="u", description="d")
    store.runs.create(run_id="r", task_id="t", workflow="w", input={})
    assert store.signals.get("r", "approve") == (False, None)
    assert store.signals.send("r", "approve", {"by": "ann"})
    assert not store.signals.send("r", "approve", {"by": "bob"})
    assert store.signals.get("r", "approve") == (True, {"by": "ann"})


def test_database_urls_are_checked() -> None:
    assert normalize_url("postgresql://u@h/db").startswith("postgresql+psycopg://")
    with pytest.raises(ConfigError, match="not a database URL"):
        normalize_url("not a url")
    with pytest.raises(ConfigError, match="database 'mysql' is not supported"):
        normalize_url("mysql://u@h/db")


def test_the_migrations_build_exactly_the_tables_the_code_declares(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from intelligent_office.store.tables import Base

    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
