"""The bridge from the SQL store to Temporal, run by every Temporal worker.

The API and the CLI only write the store: a submitted task is a queued run, an
approval decision is a stored signal, a cancel request is a flag on the run. The
bridge polls for those and carries them to Temporal: it starts queued Office runs,
forwards signals to the workflows waiting for them, and cancels flagged runs. Several
workers may bridge at once: a run is started by the one that claims it, and a signal
delivered twice is harmless (the first payload under a name wins).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from sqlalchemy import select
from temporalio.service import RPCError

from intelligent_office.observability.plain_structlog import lazy_logger
from intelligent_office.office import OFFICE_WORKFLOW
from intelligent_office.runtime.temporal.client import TEMPORAL_OWNER, TemporalSubmitter
from intelligent_office.runtime.temporal.messages import SignalMessage
from intelligent_office.runtime.temporal.workflow import SIGNAL
from intelligent_office.store import RunStatus
from intelligent_office.store.tables import RunRow, SignalRow

__all__ = ["RunBridge", "StoredSignal"]

log = lazy_logger(__name__)


@dataclass(frozen=True)
class StoredSignal:
    """A signal stored for a run that Temporal runs."""

    id: int
    run_id: str
    name: str
    payload: object


class RunBridge:
    """Carries queued runs, signals and cancel requests from the store to Temporal."""

    def __init__(self, submitter: TemporalSubmitter, *, poll_seconds: float = 0.25) -> None:
        self._submitter = submitter
        self._store = submitter.store
        self._client = submitter.client
        self._poll_seconds = poll_seconds
        self._signal_cursor = 0
        self._cancelled: set[str] = set()

    async def serve(self, stop: asyncio.Event) -> None:
        """Bridge until `stop` is set; a failing round is logged and tried again."""
        while not stop.is_set():
            try:
                await self.bridge_once()
            except Exception:  # noqa: BLE001 - the bridge outlives a database or server blip
                log.exception("temporal.bridge_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._poll_seconds)

    async def bridge_once(self) -> None:
        """One round: start queued runs, forward new signals, cancel flagged runs."""
        await self.start_queued()
        await self.forward_signals()
        await self.forward_cancellations()

    async def start_queued(self) -> list[str]:
        """Start every queued Office run on Temporal; the ids started."""
        started = []
        for run_id in await asyncio.to_thread(self._store.runs.claimable, limit=32):
            run = self._store.runs.get(run_id)
            if run is None or run.workflow != OFFICE_WORKFLOW:
                continue
            if run.status is not RunStatus.QUEUED and run.lease_owner != TEMPORAL_OWNER:
                continue  # a local worker's run whose lease ran out: a local worker resumes it
            if await self._submitter.start(run_id):
                log.info("temporal.run_started", run_id=run_id)
                started.append(run_id)
        return started

    async def forward_signals(self) -> int:
        """Send signals stored since the last round to their workflows; how many were sent."""
        signals = await asyncio.to_thread(self._new_signals)
        for signal in signals:
            self._signal_cursor = max(self._signal_cursor, signal.id)
            handle = self._client.get_workflow_handle(signal.run_id)
            message = SignalMessage.model_validate({"name": signal.name, "payload": signal.payload})
            try:
                await handle.signal(SIGNAL, message)
            except RPCError as error:  # the workflow ended meanwhile
                log.info("temporal.signal_dropped", run_id=signal.run_id, reason=str(error))
        return len(signals)

    async def forward_cancellations(self) -> list[str]:
        """Cancel the workflows of runs someone asked to cancel; their ids."""
        flagged = await asyncio.to_thread(self._cancel_requested)
        self._cancelled &= flagged  # forget runs that have finished
        cancelled = []
        for run_id in flagged - self._cancelled:
            self._cancelled.add(run_id)
            try:
                await self._client.get_workflow_handle(run_id).cancel()
            except RPCError as error:
                log.info("temporal.cancel_dropped", run_id=run_id, reason=str(error))
                continue
            cancelled.append(run_id)
        return cancelled

    def _new_signals(self) -> list[StoredSignal]:
        query = (
            select(SignalRow.id, SignalRow.run_id, SignalRow.name, SignalRow.payload)
            .join(RunRow, RunRow.run_id == SignalRow.run_id)
            .where(
                SignalRow.id > self._signal_cursor,
                RunRow.lease_owner == TEMPORAL_OWNER,
                RunRow.status == RunStatus.RUNNING.value,
            )
            .order_by(SignalRow.id)
        )
        with self._store.engine.connect() as connection:
            return [
                StoredSignal(id, run_id, name, (payload or {}).get("value"))
                for id, run_id, name, payload in connection.execute(query)
            ]

    def _cancel_requested(self) -> set[str]:
        query = select(RunRow.run_id).where(
            RunRow.cancel_requested.is_(True),
            RunRow.lease_owner == TEMPORAL_OWNER,
            RunRow.status == RunStatus.RUNNING.value,
        )
        with self._store.engine.connect() as connection:
            return set(connection.scalars(query))
