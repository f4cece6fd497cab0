"""Group commit for the local runtime's journal, on a writer thread.

Activities that finish while a commit is under way share the next transaction per
run; each caller is released only after its entry is committed, so a result is never
handed back before it is durable. Commits run on one dedicated thread so the event
loop keeps running (timers fire on time, other nodes progress) while the database
works. Events are queued without waiting and ride along with the next commit; when
no journal entry comes within `EVENT_FLUSH_SECONDS`, they are committed on their own
so live views stay current.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from intelligent_office.store import Batch, JournalEntry, PendingEvent, Store

__all__ = ["EVENT_FLUSH_SECONDS", "JournalWriter"]

EVENT_FLUSH_SECONDS = 0.05

_Waiters = dict[str, list[asyncio.Future[None]]]


class JournalWriter:
    """Collects journal entries and events, and commits them in batches."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._batches: dict[str, Batch] = {}
        self._waiters: _Waiters = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="office-journal")
        self._flushing: asyncio.Task[None] | None = None
        self._flush_later: asyncio.TimerHandle | None = None

    def _batch(self, run_id: str, owner: str | None, lease_seconds: float) -> Batch:
        batch = self._batches.get(run_id)
        if batch is None:
            batch = self._batches[run_id] = Batch(run_id, owner, lease_seconds)
        return batch

    async def record(
        self, run_id: str, owner: str | None, lease_seconds: float, entry: JournalEntry
    ) -> None:
        """Journal an entry; returns once it is committed.

        Raises:
            LeaseLost: this worker no longer holds the run's lease.
        """
        self._batch(run_id, owner, lease_seconds).entries.append(entry)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(run_id, []).append(done)
        self._start_flushing()
        await done

    def add_event(
        self, run_id: str, owner: str | None, lease_seconds: float, event: PendingEvent
    ) -> None:
        """Queue an event for the next commit."""
        self._batch(run_id, owner, lease_seconds).events.append(event)
        if self._flushing is None and self._flush_later is None:
            loop = asyncio.get_running_loop()
            self._flush_later = loop.call_later(EVENT_FLUSH_SECONDS, self._start_flushing)

    async def flush(self) -> None:
        """Commit everything queued so far."""
        while self._batches or self._flushing is not None:
            self._start_flushing()
            if self._flushing is not None:
                await asyncio.shield(self._flushing)

    def close(self) -> None:
        """Stop the writer thread (after a final `flush`)."""
        self._executor.shutdown(wait=True)

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
                errors = await loop.run_in_executor(self._executor, self._write, batches)
                _release(waiters, errors)
        finally:
            self._flushing = None

    def _write(self, batches: dict[str, Batch]) -> dict[str, BaseException]:
        """On the writer thread: one transaction per run; report failures by run."""
        errors: dict[str, BaseException] = {}
        for run_id, batch in batches.items():
            try:
                self._store.journal.write([batch])
            except Exception as failure:  # noqa: BLE001 - handed to the run's waiters
                errors[run_id] = failure
        return errors


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
