"""Background WAL checkpoints copy a writer's committed pages into the database file."""

from __future__ import annotations

from pathlib import Path

from intelligent_office.runtime.journal_writer import JournalWriter
from intelligent_office.store import JournalEntry, Store
from intelligent_office.store.checkpoint import Checkpointer


def _write_pages(store: Store, rows: int) -> None:
    """Commit `rows` wide rows on a connection whose own checkpoints are off."""
    connection = store.engine.pool.recreate().connect()
    try:
        cursor = connection.cursor()
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.execute("CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, body TEXT)")
        cursor.executemany(
            "INSERT INTO filler (body) VALUES (?)", [("x" * 2000,) for _ in range(rows)]
        )
        connection.commit()
        cursor.close()
    finally:
        connection.close()


def test_a_checkpoint_runs_every_n_commits_and_moves_pages_into_the_file(tmp_path: Path) -> None:
    database = tmp_path / "office.db"
    store = Store.open(f"sqlite:///{database}")
    try:
        _write_pages(store, 400)  # about 200 pages, only in the log so far
        size_before = database.stat().st_size
        checkpoints = Checkpointer(store.engine.pool.recreate(), every=3)
        checkpoints.committed()
        checkpoints.committed()
        checkpoints.close()  # two commits: no checkpoint yet
        assert database.stat().st_size == size_before
        checkpoints.committed()
        checkpoints.close()  # the third starts one; close waits for it
        assert database.stat().st_size > size_before + 150 * 4096
    finally:
        store.close()


async def test_the_journal_writer_keeps_no_connection_of_the_stores_pool(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'office.db'}")
    try:
        store.tasks.create(task_id="t", user_id="u", description="d")
        store.runs.create(run_id="r", task_id="t", workflow="w", input={})
        writer = JournalWriter(store)
        entry = JournalEntry(key="k", activity="a", ok=True, output={})
        await writer.record("r", None, 30.0, entry)
        assert store.journal.load("r")["k"].output == {}  # committed before record returned
        # The writer keeps a connection, but from a pool of its own: a pooled one may be
        # the connection that migrated the database.
        assert store.engine.pool.checkedout() == 0
        writer.close()
    finally:
        store.close()
