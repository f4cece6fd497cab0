"""The journal writer's group commit on SQLite: quick steps finishing together share one
transaction, and each is durable when its `record` returns; a run's outcome is committed
with its last events, only by the lease's holder."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from intelligent_office.errors import LeaseLost
from intelligent_office.runtime.journal_writer import JournalWriter
from intelligent_office.store import JournalEntry, PendingEvent, RunOutcome, RunStatus, Store
from intelligent_office.store.tables import JournalRow


async def test_steps_finishing_in_one_loop_turn_share_one_commit(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'office.db'}")
    writer = JournalWriter(store)
    try:
        store.tasks.create(task_id="t", user_id="u", description="d")
        store.runs.create(run_id="r", task_id="t", workflow="w", input={})
        durable: list[bool] = []

        async def step(index: int) -> None:
            entry = JournalEntry(key=f"k{index}", activity="a", ok=True, output={"i": index})
            await writer.record("r", None, 30.0, entry)
            durable.append(f"k{index}" in store.journal.load("r"))

        await asyncio.gather(*(step(index) for index in range(50)))
        assert durable == [True] * 50
        with store.engine.connect() as connection:
            stamps = set(connection.scalars(select(JournalRow.recorded_at)))
        assert len(stamps) == 1  # one transaction: every row has its commit's time
        await step(50)  # a step alone still commits at once
        assert durable[-1]
    finally:
        writer.close()
        store.close()


async def test_a_runs_outcome_commits_with_its_last_events(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'office.db'}")
    writer = JournalWriter(store)
    try:
        store.tasks.create(task_id="t", user_id="u", description="d")
        for run_id in ("r1", "r2"):
            store.runs.create(run_id=run_id, task_id="t", workflow="w", input={})
            assert store.runs.claim(run_id, "me", 30)
        done = _event("r1", "run.completed")
        writer.add_event("r1", "me", 30.0, done)
        await writer.finish("r1", "me", 30.0, RunOutcome(RunStatus.COMPLETED, result={"n": 1}))
        finished = store.runs.require("r1")
        assert finished.status is RunStatus.COMPLETED and finished.result == {"n": 1}
        assert finished.lease_owner is None and finished.lease_expires_at is None
        assert finished.finished_at is not None
        assert [event.type for event in store.events.read("t")] == ["run.completed"]

        assert store.runs.claim("r2", "other", 30) is False  # held by "me"
        store.runs.release("r2", "me")
        assert store.runs.claim("r2", "other", 30)  # the lease moved on
        writer.add_event("r2", "me", 30.0, _event("r2", "run.failed"))
        with pytest.raises(LeaseLost):
            await writer.finish("r2", "me", 30.0, RunOutcome(RunStatus.FAILED, error="boom"))
        lost = store.runs.require("r2")
        assert lost.status is RunStatus.RUNNING and lost.lease_owner == "other"
        assert [event.run_id for event in store.events.read("t")] == ["r1"]  # none of r2's
    finally:
        writer.close()
        store.close()


def _event(run_id: str, event_type: str) -> PendingEvent:
    return PendingEvent(
        task_id="t",
        run_id=run_id,
        type=event_type,
        time=datetime.now(UTC),
        dedup_key=f"{run_id}/{event_type}",
        payload={},
    )


async def test_a_write_lock_held_elsewhere_stalls_the_commit_not_the_loop(tmp_path: Path) -> None:
    """Another process holding SQLite's write lock makes the commit wait on the writer
    thread; the loop (the API's, in `office serve`) keeps turning meanwhile."""
    import sqlean  # the store's SQLite build: a second, independent connection

    path = tmp_path / "office.db"
    store = Store.open(f"sqlite:///{path}")
    writer = JournalWriter(store)
    other = sqlean.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        store.tasks.create(task_id="t", user_id="u", description="d")
        store.runs.create(run_id="r", task_id="t", workflow="w", input={})
        await writer.record("r", None, 30.0, JournalEntry(key="k0", activity="a", ok=True))
        other.execute("BEGIN IMMEDIATE")  # the write lock, held by someone else
        gaps: list[float] = []
        loop = asyncio.get_running_loop()

        async def ticker() -> None:
            last = loop.time()
            while True:
                await asyncio.sleep(0.01)
                gaps.append(loop.time() - last)
                last = loop.time()

        ticking = asyncio.create_task(ticker())
        loop.call_later(0.5, other.execute, "COMMIT")  # let go of it after half a second
        began = loop.time()
        entry = JournalEntry(key="k1", activity="a", ok=True, output={"n": 1})
        await writer.record("r", None, 30.0, entry)
        waited = loop.time() - began
        ticking.cancel()
        assert waited >= 0.45  # it did wait for the lock, and then committed
        assert store.journal.load("r")["k1"].output == {"n": 1}
        assert max(gaps) < 0.25  # the loop never stood still for the lock
        # The lock free again, commits go back to the loop's thread and still land.
        await writer.record("r", None, 30.0, JournalEntry(key="k2", activity="a", ok=True))
        assert "k2" in store.journal.load("r")
    finally:
        other.close()
        writer.close()
        store.close()


async def test_events_after_a_commit_are_committed_within_the_flush_delay(
    tmp_path: Path,
) -> None:
    """An event with no journal entry after it (a step's last event) still reaches the
    database on its own within `EVENT_FLUSH_SECONDS`, whatever commits came before it."""
    from intelligent_office.runtime.journal_writer import EVENT_FLUSH_SECONDS

    store = Store.open(f"sqlite:///{tmp_path / 'office.db'}")
    writer = JournalWriter(store)
    try:
        store.tasks.create(task_id="t", user_id="u", description="d")
        store.runs.create(run_id="r", task_id="t", workflow="w", input={})
        loop = asyncio.get_running_loop()
        for index in range(3):
            writer.add_event("r", None, 30.0, _event("r", f"e.started.{index}"))
            entry = JournalEntry(key=f"k{index}", activity="a", ok=True)
            await writer.record("r", None, 30.0, entry)  # commits the event before it
            writer.add_event("r", None, 30.0, _event("r", f"e.completed.{index}"))
            queued = loop.time()
            while len(store.events.read("t")) < 2 * (index + 1):
                assert loop.time() - queued < EVENT_FLUSH_SECONDS + 0.5
                await asyncio.sleep(0.005)
            await asyncio.sleep(EVENT_FLUSH_SECONDS / 3)
        assert [event.type for event in store.events.read("t")] == [
            f"e.{when}.{index}" for index in range(3) for when in ("started", "completed")
        ]
    finally:
        await writer.flush()
        writer.close()
        store.close()
