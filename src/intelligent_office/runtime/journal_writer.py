"""Group commit for the local runtime's journal.

Activities that finish in the same turn of the event loop share one transaction per
run; each caller is released only after its entry is committed, so a result is never
handed back before it is durable. Events are queued without waiting and ride along
with the next commit; when no journal entry comes within `EVENT_FLUSH_SECONDS`, they
are committed on their own so live views stay current.
"""

from __future__ import annotations

import asyncio

from intelligent_office.store import Batch, JournalEntry, PendingEvent, Store

__all__ = ["EVENT_FLUSH_SECONDS", "JournalWriter"]

EVENT_FLUSH_SECONDS = 0.05


class JournalWriter:
    """Collects journal entries and events, and commits them in batches."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._batches: dict[str, Batch] = {}
        self._waiters: dict[str, list[asyncio.Future[None]]] = {}
        self._flush_soon: asyncio.Handle | None = None
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
        if self._flush_soon is None:
            self._flush_soon = asyncio.get_running_loop().call_soon(self._flush_now)
        await done

    def add_event(
        self, run_id: str, owner: str | None, lease_seconds: float, event: PendingEvent
    ) -> None:
        """Queue an event for the next commit."""
        self._batch(run_id, owner, lease_seconds).events.append(event)
        if self._flush_soon is None and self._flush_later is None:
            loop = asyncio.get_running_loop()
            self._flush_later = loop.call_later(EVENT_FLUSH_SECONDS, self._flush_now)

    async def flush(self) -> None:
        """Commit everything queued now."""
        self._flush_now()
        await asyncio.sleep(0)

    def _flush_now(self) -> None:
        for handle in (self._flush_soon, self._flush_later):
            if handle is not None:
                handle.cancel()
        self._flush_soon = self._flush_later = None
        batches, self._batches = self._batches, {}
        waiters, self._waiters = self._waiters, {}
        for run_id, batch in batches.items():
            error: BaseException | None = None
            try:
                self._store.journal.write([batch])
            except Exception as failure:  # noqa: BLE001 - handed to every waiter (LeaseLost...)
                error = failure
            for done in waiters.get(run_id, []):
                if done.done():
                    continue
                if error is None:
                    done.set_result(None)
                else:
                    done.set_exception(error)
