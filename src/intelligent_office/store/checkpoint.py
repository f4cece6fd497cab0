"""WAL checkpoints in the background, for a SQLite connection that commits on a hot path.

In WAL mode SQLite copies the log back into the database file (a checkpoint) from inside
the commit that makes the log pass 1,000 pages: that commit then waits for the copy and
two fsyncs. On the local runtime's 200-step chain that was one commit in a hundred
taking 10-70 ms on a busy machine, most of the journal's wall time. The journal writer
turns its connection's automatic checkpoints off and calls `committed()` after each
commit; every `every` commits a passive checkpoint runs on a thread and connection of
its own, which never blocks the writer (SQLite lets a writer append while a checkpoint
copies). Durability is unchanged: a commit is in the log before it returns, and any
connection may checkpoint (the others keep their automatic checkpoints).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.pool import Pool

__all__ = ["CHECKPOINT_EVERY_COMMITS", "Checkpointer"]

CHECKPOINT_EVERY_COMMITS = 100


class Checkpointer:
    """Runs `PRAGMA wal_checkpoint(PASSIVE)` on a thread every `every` commits."""

    def __init__(self, pool: Pool, *, every: int = CHECKPOINT_EVERY_COMMITS) -> None:
        self._pool = pool
        self._every = every
        self._commits = 0
        self._executor: ThreadPoolExecutor | None = None
        self._running: Future[None] | None = None

    def committed(self) -> None:
        """One more commit; start a checkpoint when `every` have passed and none runs."""
        self._commits += 1
        if self._commits < self._every or (self._running and not self._running.done()):
            return
        self._commits = 0
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="office-wal")
        self._running = self._executor.submit(self._checkpoint)

    def _checkpoint(self) -> None:
        connection = self._pool.connect()
        try:
            cursor = connection.cursor()
            try:
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
                cursor.fetchall()
            finally:
                cursor.close()
        finally:
            connection.close()

    def close(self) -> None:
        """Wait for a checkpoint under way and stop the thread."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
