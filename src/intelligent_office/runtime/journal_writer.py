"""Group commit for the local runtime's journal.

Guarantee: an activity's result is committed before it is handed back, so nothing
that depends on it runs before it is durable, and the worker flushes the writer before
it records a run as finished. Entries recorded while a commit is being prepared or is
under way share the next transaction per run (results that finish within the same few
milliseconds share one commit). Every commit checks, in its transaction, that the run's
lease is still held; once every third of a lease it also extends it.

Where the commit runs: on SQLite, on the event loop's thread at its next turn: a
commit there is a write of a few pages to a local file, and handing it to a thread cost
more than the write (two thread switches and GIL hand-offs per commit, measured on the
200-node chain); waiting one turn lets the results of tasks already due to run (a
fan-out's steps ending together) share the commit. That holds while other activities
are in flight too: a writer thread needs the GIL for every statement, and while the
loop is busy (a fan-out's results coming in) each hand-off waited up to the
interpreter's switch interval (5 ms): a 500-step fan-out's first results were
committed 6-10 ms after they came, then most of them in one commit after the last.
On PostgreSQL (where a commit waits for the server) it runs on one dedicated writer
thread and the loop keeps running meanwhile. A commit on the loop's thread never waits
for SQLite's write lock: its connection does not wait (busy_timeout 0) and, when
another process holds the lock, that commit goes to the writer thread, which waits as
every connection of the store does; so a long write elsewhere (`office serve` shares its
loop with the API and its live views) stalls nothing but the runs that must wait.

On SQLite the writer keeps one connection of its own (from a pool of its own) while
runs are written, with SQLite's automatic checkpoints off: a checkpoint copies the log
into the database file with two fsyncs, inside whichever commit passes 1,000 pages;
`store.checkpoint` runs them on a thread instead (durability is the same: a commit is
in the log before it returns).

Events are queued without waiting and ride along with the next commit. While
activities are running (a fan-out waiting on its steps) they are committed at the
loop's next turn, so that the commit that follows the steps' results carries less;
otherwise a timer commits them on their own at most `EVENT_FLUSH_SECONDS` after they
were queued, so live views stay current (a commit in between does not reset it).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from intelligent_office.store import Batch, JournalEntry, PendingEvent, RunOutcome, Store
from intelligent_office.store.checkpoint import Checkpointer

if TYPE_CHECKING:
    from sqlalchemy.pool import Pool, PoolProxiedConnection

__all__ = ["EVENT_FLUSH_SECONDS", "JournalWriter"]

EVENT_FLUSH_SECONDS = 0.05
_LOCK_WAIT_MS = 10_000
"""How long the writer thread waits for SQLite's write lock (as `store.db`'s connections)."""

_Waiters = dict[str, list[asyncio.Future[None]]]


class JournalWriter:
    """Collects journal entries and events, and commits them in batches."""

    def __init__(self, store: Store, *, inline: bool | None = None) -> None:
        """`inline`: commit on the loop's thread (default: on SQLite only)."""
        self._store = store
        self._inline = store.engine.dialect.name == "sqlite" if inline is None else inline
        self._batches: dict[str, Batch] = {}
        self._waiters: _Waiters = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="office-journal")
        self._flushing: asyncio.Task[None] | None = None
        self._flush_later: asyncio.TimerHandle | None = None
        self._renewed: dict[str, float] = {}
        self._in_flight = 0
        self._commit_due = False  # a recorder commits at the loop's next turn
        self._lock_busy = False  # another process held the write lock: commit on the thread
        self._lock_wait_ms: int | None = None  # the kept connection's busy_timeout
        # On SQLite the writer keeps a connection of its own while runs are written: a
        # pool checkout and check-in per commit cost about as much as a statement, and a
        # pooled connection may be the one that migrated the database, on which every
        # statement measured twice as slow. Commits never overlap, so the loop's thread
        # and the writer thread take turns on it.
        self._own_pool: Pool | None = (
            store.engine.pool.recreate() if store.engine.dialect.name == "sqlite" else None
        )
        self._connection: PoolProxiedConnection | None = None
        self._checkpoints = None if self._own_pool is None else Checkpointer(self._own_pool)

    @property
    def commits_inline(self) -> bool:
        """Whether commits run on the loop's thread (SQLite): a one-row write there is
        quicker than a hand-off to a thread and back."""
        return self._inline

    def _batch(self, run_id: str, owner: str | None, lease_seconds: float) -> Batch:
        batch = self._batches.get(run_id)
        if batch is None:
            # Every commit checks the lease; once a third of a lease it also extends it
            # (the heartbeat extends it too: a commit is not the only sign of life).
            now = time.monotonic()
            renew = now - self._renewed.get(run_id, -math.inf) >= lease_seconds / 3
            if renew:
                self._renewed[run_id] = now
            batch = self._batches[run_id] = Batch(run_id, owner, lease_seconds, renew=renew)
        return batch

    def record(
        self, run_id: str, owner: str | None, lease_seconds: float, entry: JournalEntry
    ) -> Coroutine[Any, Any, None]:
        """Journal an entry; the awaitable returned is done once it is committed.

        Raises:
            LeaseLost: this worker no longer holds the run's lease.
        """
        # Queued now, awaited by the caller: one coroutine (`_committed`) per entry, not two.
        self._batch(run_id, owner, lease_seconds).entries.append(entry)
        return self._committed(run_id)

    async def finish(
        self, run_id: str, owner: str, lease_seconds: float, outcome: RunOutcome
    ) -> None:
        """Record how the run ended, in one commit with what is still queued for it (its
        last events); returns once it is committed.

        Raises:
            LeaseLost: `owner` no longer holds the run's lease; nothing was written.
        """
        self._batch(run_id, owner, lease_seconds).outcome = outcome
        await self._committed(run_id)

    async def _committed(self, run_id: str) -> None:
        """Wait until what is queued for `run_id` is committed (raise what failed it)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._waiters.setdefault(run_id, []).append(done)
        if self._inline and self._flushing is None:
            # Commit on the loop's thread at its next turn, so that the results of the
            # tasks waiting to run before it (a fan-out of quick steps) join this commit.
            # The first recorder commits itself, resumed at that turn: its step goes on
            # in the same turn (no turn spent waking it after the commit).
            if not self._commit_due:
                self._commit_due = True
                try:
                    await asyncio.sleep(0)
                except BaseException:
                    # Cancelled while waiting: the others' entries still commit next turn.
                    loop.call_soon(self._commit_soon)
                    raise
                self._commit_soon()
        else:
            self._start_flushing()
        await done

    def add_event(
        self, run_id: str, owner: str | None, lease_seconds: float, event: PendingEvent
    ) -> None:
        """Queue an event for the next commit."""
        self._batch(run_id, owner, lease_seconds).events.append(event)
        if self._flushing is not None:
            return  # the flush under way commits it next
        # While activities run (a fan-out waiting on its steps) the writer thread has time:
        # commit at the loop's next turn rather than later, when their results come in.
        soon = self._in_flight > 0
        loop = asyncio.get_running_loop()
        later = self._flush_later
        if later is not None:
            if not soon or later.when() <= loop.time():
                return
            later.cancel()
        delay = 0.0 if soon else EVENT_FLUSH_SECONDS
        self._flush_later = loop.call_later(delay, self._start_flushing)

    async def flush(self) -> None:
        """Commit everything queued so far."""
        while self._batches or self._flushing is not None:
            self._start_flushing()
            if self._flushing is not None:
                await asyncio.shield(self._flushing)

    def activity_started(self) -> None:
        """Count an activity as running while its body runs (before it is recorded)."""
        self._in_flight += 1

    def activity_ended(self) -> None:
        """The body of an activity counted by `activity_started` returned or raised."""
        self._in_flight -= 1

    def forget(self, run_id: str) -> None:
        """Drop what is kept about a run this worker stopped running."""
        self._renewed.pop(run_id, None)
        if not self._renewed and self._flushing is None:
            self._release_connection()

    def close(self) -> None:
        """Stop the writer thread (after a final `flush`)."""
        self._executor.shutdown(wait=True)
        if self._checkpoints is not None:
            self._checkpoints.close()
        self._release_connection(dispose=True)

    def _release_connection(self, *, dispose: bool = False) -> None:
        """Hand the kept connection back to the writer's pool (no run is being written),
        where it stays open for the next run; `dispose` closes it."""
        connection, self._connection = self._connection, None
        waits, self._lock_wait_ms = self._lock_wait_ms, None  # the pool may hand out another
        if connection is not None:
            if waits not in (None, _LOCK_WAIT_MS):
                _set_lock_wait(connection, _LOCK_WAIT_MS)  # as the pool's others (checkpoints)
            connection.close()
        if dispose and self._own_pool is not None:
            self._own_pool.dispose()

    def _commit_soon(self) -> None:
        """Commit everything queued on the loop's thread, unless a flush took it over."""
        self._commit_due = False
        if self._flushing is not None or not self._batches:
            return  # the flush under way commits what is queued when its commit ends
        # A flush timer set for events is left to run out: events queued after this commit
        # are then committed by it, no later than it promised. Cancelling it here and setting
        # a new one for the next step's first event cost a timer per step (4 us) on a chain.
        batches, self._batches = self._batches, {}
        waiters, self._waiters = self._waiters, {}
        errors = self._write(batches, wait_for_lock=False)
        if self._requeue_busy(batches, waiters, errors):
            self._start_flushing()
        _release(waiters, errors)

    def _requeue_busy(
        self, batches: dict[str, Batch], waiters: _Waiters, errors: dict[str, BaseException]
    ) -> bool:
        """Queue again the runs whose commit found the write lock held (their waiters
        keep waiting), for the writer thread; whether there were any."""
        busy = [run_id for run_id, error in errors.items() if _lock_held(error)]
        for run_id in busy:
            # The failed write ran on this thread just now: nothing was queued since.
            assert run_id not in self._batches
            del errors[run_id]
            self._batches[run_id] = batches[run_id]
            self._waiters[run_id] = waiters.pop(run_id, [])
        self._lock_busy = self._lock_busy or bool(busy)
        return bool(busy)

    def _kept_connection(self) -> PoolProxiedConnection | None:
        """The writer's own connection on SQLite (taken on first use); None: pooled."""
        if self._connection is None and self._own_pool is not None:
            connection = self._own_pool.connect()
            try:
                # Checkpoints run in the background (`store.checkpoint`), not in a commit;
                # set at each checkout, as the pool may hand out a new connection.
                cursor = connection.cursor()
                cursor.execute("PRAGMA wal_autocheckpoint=0")
                cursor.close()
            except BaseException:
                connection.close()
                raise
            self._connection = connection
        return self._connection

    def _start_flushing(self) -> None:
        if self._flush_later is not None:
            self._flush_later.cancel()
            self._flush_later = None
        if self._flushing is None and self._batches:
            self._flushing = asyncio.get_running_loop().create_task(self._flush_loop())

    async def _flush_loop(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._batches:
                batches, self._batches = self._batches, {}
                waiters, self._waiters = self._waiters, {}
                if self._inline and not self._lock_busy:
                    errors = self._write(batches, wait_for_lock=False)
                    self._requeue_busy(batches, waiters, errors)
                else:
                    errors = await loop.run_in_executor(self._executor, self._write, batches)
                    self._lock_busy = False
                _release(waiters, errors)
        finally:
            self._flushing = None
            if not self._renewed:
                self._release_connection()

    def _write(
        self, batches: dict[str, Batch], *, wait_for_lock: bool = True
    ) -> dict[str, BaseException]:
        """One transaction per run; report failures by run. Without `wait_for_lock` a
        commit that finds SQLite's write lock held fails at once (`_lock_held`)."""
        errors: dict[str, BaseException] = {}
        try:
            connection = self._kept_connection()
            wait = _LOCK_WAIT_MS if wait_for_lock else 0
            if connection is not None and self._lock_wait_ms != wait:
                _set_lock_wait(connection, wait)
                self._lock_wait_ms = wait
        except Exception as failure:  # noqa: BLE001 - every run's waiters hear of it
            return dict.fromkeys(batches, failure)
        for run_id, batch in batches.items():
            try:
                self._store.journal.write([batch], connection=connection)
            except Exception as failure:  # noqa: BLE001 - handed to the run's waiters
                errors[run_id] = failure
            if self._checkpoints is not None:
                self._checkpoints.committed()
        return errors


def _set_lock_wait(connection: PoolProxiedConnection, milliseconds: int) -> None:
    """How long the kept SQLite connection waits for the write lock before SQLITE_BUSY."""
    cursor = connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={int(milliseconds)}")
    finally:
        cursor.close()


def _lock_held(error: BaseException) -> bool:
    """Whether a commit failed only because another connection held SQLite's write lock."""
    return getattr(error, "sqlite_errorname", None) in {"SQLITE_BUSY", "SQLITE_BUSY_TIMEOUT"}


def _release(waiters: _Waiters, errors: dict[str, BaseException]) -> None:
    for run_id, futures in waiters.items():
        error = errors.get(run_id)
        for done in futures:
            if done.done():
                continue
            if error is None:
                done.set_result(None)
            else:
                done.set_exception(error)
