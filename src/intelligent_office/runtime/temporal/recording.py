"""What a Temporal worker writes to the SQL store for a run: its events and its journal copy.

Temporal's history is the run's journal; the store gets a copy so the CLI, the API and
the UI read a Temporal run as they read a local one. The events a workflow emitted
travel with its next activity call and are stored before the activity runs (dedup
keys make a retried write harmless); each activity's outcome is copied to the SQL
journal after it ran, best effort (the step itself succeeded; only its copy is lost).
"""

from __future__ import annotations

import asyncio

from intelligent_office.observability.plain_structlog import lazy_logger
from intelligent_office.runtime.temporal.messages import ActivityCall, EventRecord
from intelligent_office.store import Batch, JournalEntry, PendingEvent, Store

__all__ = ["StoreRecorder"]

_log = lazy_logger(__name__)


class StoreRecorder:
    """Writes a Temporal run's events and activity outcomes to the SQL store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def store_events(self, call: ActivityCall) -> None:
        """Store the events that came with an activity call (before it runs)."""
        await self.store_run_events(call.run_id, call.task_id, call.events)

    async def store_run_events(self, run_id: str, task_id: str, events: list[EventRecord]) -> None:
        """Store `events` of the run, off the event loop."""
        if events:
            await asyncio.to_thread(self.write_events, run_id, task_id, events)

    async def copy_outcome(self, call: ActivityCall, entry: JournalEntry) -> None:
        """Copy an activity's outcome to the run's SQL journal (`office steps`, forks, UI)."""
        batch = Batch(run_id=call.run_id, owner=None, lease_seconds=0, entries=[entry])
        try:
            await asyncio.to_thread(self.store.journal.write, [batch])
        except Exception:  # noqa: BLE001 - the step itself succeeded; only its copy is lost
            _log.warning("journal copy failed", run_id=call.run_id, key=call.key, exc_info=True)

    def write_events(self, run_id: str, task_id: str, events: list[EventRecord]) -> None:
        """Store `events` of the run now."""
        if not events:
            return
        pending = [
            PendingEvent(
                task_id=task_id,
                run_id=run_id,
                type=event.type,
                time=event.time,
                dedup_key=event.dedup_key,
                payload=event.payload,
            )
            for event in events
        ]
        # No lease: Temporal owns the run. Dedup keys make a retried write harmless.
        self.store.journal.write([Batch(run_id, None, 0.0, events=pending)])
