"""The local runtime's worker: a priority queue of runs, leases, heartbeats, resume.

Runs are rows in the store. A worker claims the highest-priority claimable run under
a lease, runs its workflow with a `LocalRunContext`, renews the lease while it runs,
and records the outcome. A run whose worker died is claimed again once its lease
expires, or at once when the dead worker was a process on this host; the workflow
then replays its journal and carries on where it stopped.

Cancellation is durable: `cancel` sets the run's `cancel_requested` flag, and the
worker holding the run (this one or another process) sees it on its next poll or
heartbeat, stops the workflow and finishes the run as cancelled with a
`task.cancelled` event.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, JsonValue

from intelligent_office.errors import LeaseLost, UserError
from intelligent_office.observability import RunTrace, Telemetry, format_trace_id
from intelligent_office.observability.plain_structlog import bound_contextvars, get_logger
from intelligent_office.runtime.base import EventListener
from intelligent_office.runtime.journal_writer import JournalWriter
from intelligent_office.runtime.local import LocalRunContext
from intelligent_office.runtime.stall import StallWatch
from intelligent_office.runtime.workflow import WorkflowRegistry
from intelligent_office.store import JournalEntry, RunOutcome, RunRecord, RunStatus, Store

__all__ = ["LocalWorker", "RunListener"]


def _log() -> Any:
    """The worker's log; structlog loads at the first line or run, not at import."""
    return get_logger(__name__)


# Called with (run_id, event_type, payload) for every event of every run this worker runs.
RunListener = Callable[[str, str, dict[str, JsonValue]], None]


def _owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class LocalWorker:
    """Runs queued runs in this process, at most `max_concurrent_runs` at a time."""

    def __init__(
        self,
        store: Store,
        registry: WorkflowRegistry,
        *,
        max_concurrent_runs: int = 4,
        lease_seconds: float = 30.0,
        poll_seconds: float = 0.5,
        listener: RunListener | None = None,
        telemetry: Telemetry | None = None,
        stall_grace_seconds: float | None = None,
        stall_default_timeout_seconds: float = 600.0,
    ) -> None:
        if max_concurrent_runs < 1:
            raise UserError("max_concurrent_runs must be at least 1")
        if stall_grace_seconds is not None and stall_grace_seconds < 0:
            raise UserError("stall_grace_seconds must be 0 or more, or None to watch nothing")
        self.stall_grace_seconds = stall_grace_seconds
        self.stall_default_timeout_seconds = stall_default_timeout_seconds
        self.store = store
        self.registry = registry
        self.owner = _owner_id()
        self.max_concurrent_runs = max_concurrent_runs
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self._listener = listener
        self.telemetry = telemetry if telemetry is not None else Telemetry()
        self._writer = JournalWriter(store)
        self._running: dict[str, asyncio.Task[None]] = {}
        self._cancelling: set[str] = set()
        self._signal_events: dict[tuple[str, str], asyncio.Event] = {}
        # While `serve` runs: set when a run is queued or a slot frees up.
        self._queued: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- submitting and signalling -------------------------------------------------

    def submit(
        self,
        workflow: str,
        value: BaseModel,
        *,
        task_id: str,
        priority: int = 5,
        run_id: str | None = None,
        journal: Sequence[JournalEntry] = (),
    ) -> RunRecord:
        """Queue a run of a registered workflow for an existing task.

        `journal` is recorded with the run before any worker can claim it: the steps a
        fork replays.
        """
        definition = self.registry.get(workflow)
        checked = definition.input_type.model_validate(value.model_dump())
        record = self.store.runs.create(
            run_id=run_id or uuid.uuid4().hex,
            task_id=task_id,
            workflow=workflow,
            input=checked.model_dump(mode="json"),
            priority=priority,
            journal=journal,
        )
        self._wake()  # start it now rather than at the next poll
        return record

    def _wake(self) -> None:
        """Wake `serve` to claim runs now; safe from any thread."""
        queued, loop = self._queued, self._loop
        if queued is None or loop is None:
            return
        try:
            here = asyncio.get_running_loop()
        except RuntimeError:
            here = None
        if here is loop:
            queued.set()
        else:
            loop.call_soon_threadsafe(queued.set)

    def send_signal(self, run_id: str, name: str, payload: JsonValue = None) -> bool:
        """Store a signal for a run and wake it if it waits in this process."""
        sent = self.store.signals.send(run_id, name, payload)
        wakeup = self._signal_events.get((run_id, name))
        if wakeup is not None:
            wakeup.set()
        return sent

    def cancel(self, run_id: str) -> RunRecord:
        """Ask for the run to be cancelled; a queued run is cancelled at once.

        A run this worker is running stops now; one another worker holds stops at that
        worker's next poll or heartbeat. Safe to call from any thread.

        Raises:
            UserError: the run has already finished.
        """
        record = self.store.runs.require(run_id)
        if not self.store.runs.request_cancel(run_id):
            record = self.store.runs.require(run_id)
            raise UserError(f"run {run_id} has already {record.status.value}: nothing to cancel")
        if self.store.runs.cancel_unclaimed(run_id):
            self._record_cancelled(record, "cancelled before it started")
        elif run_id in self._running:
            self._call_on_loop(self._stop, run_id)
        return self.store.runs.require(run_id)

    def _call_on_loop(self, fn: Callable[[str], None], run_id: str) -> None:
        loop = self._loop
        try:
            here: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            here = None
        if loop is None or here is loop:
            fn(run_id)
        else:
            loop.call_soon_threadsafe(fn, run_id)

    def _stop(self, run_id: str) -> None:
        task = self._running.get(run_id)
        if task is not None and run_id not in self._cancelling:
            self._cancelling.add(run_id)
            task.cancel()

    def _stop_cancelled_runs(self) -> None:
        for run_id in self.store.runs.cancel_requested(list(self._running)):
            self._stop(run_id)

    def _record_cancelled(self, run: RunRecord, reason: str) -> None:
        """The task's side of a cancelled run: its status, the event, no pending approvals."""
        self.store.events.append(
            task_id=run.task_id,
            run_id=run.run_id,
            type="task.cancelled",
            payload={"reason": reason},
            dedup_key=f"{run.run_id}/task/cancelled",
        )
        self.store.tasks.set_status(run.task_id, "cancelled")
        for approval in self.store.approvals.list(status="pending", task_id=run.task_id):
            with contextlib.suppress(UserError):  # decided meanwhile
                self.store.approvals.decide(
                    approval.id, status="expired", by=None, comment="the task was cancelled"
                )

    def _signal_wakeup(self, run_id: str, name: str) -> asyncio.Event:
        return self._signal_events.setdefault((run_id, name), asyncio.Event())

    # -- the loop --------------------------------------------------------------------

    def reclaim_dead_local_leases(self) -> list[str]:
        """Free leases held by processes on this host that no longer exist.

        A killed process cannot release its leases; waiting for them to expire would
        delay the resume for nothing when we can see the process is gone.
        """
        freed = []
        host = socket.gethostname()
        for run in self.store.runs.recent(status=RunStatus.RUNNING, limit=10_000):
            if run.lease_owner is None:
                continue
            owner_host, _, rest = run.lease_owner.partition(":")
            pid_text = rest.partition(":")[0]
            if owner_host == host and pid_text.isdigit() and not _pid_alive(int(pid_text)):
                self.store.runs.release(run.run_id, run.lease_owner)
                freed.append(run.run_id)
        return freed

    async def run_until_idle(self) -> None:
        """Run queued and interrupted runs until none is left."""
        self.reclaim_dead_local_leases()
        while True:
            started = self._start_claimable()
            if not self._running:
                if not started:
                    return
                continue
            await asyncio.wait(list(self._running.values()), return_when=asyncio.FIRST_COMPLETED)

    async def serve(self, stop: asyncio.Event) -> None:
        """Keep running runs as they are queued, until `stop` is set."""
        self.reclaim_dead_local_leases()
        queued = self._queued = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        try:
            while not stop.is_set():
                queued.clear()
                self._start_claimable()
                if self._running:
                    self._stop_cancelled_runs()
                await _first(stop, queued, timeout=self.poll_seconds)
        finally:
            self._queued = self._loop = None
        await self.shutdown()

    async def run(self, run_id: str) -> RunRecord:
        """Claim and run one run now, and return its final record."""
        # A lease held by a dead process on this host is freed only when it is in the way:
        # scanning every running run first would cost each run a query for nothing.
        if (
            run_id not in self._running
            and not self._claim_and_start(run_id)
            and not (run_id in self.reclaim_dead_local_leases() and self._claim_and_start(run_id))
        ):
            record = self.store.runs.require(run_id)
            if record.status.finished:
                return record
            raise UserError(f"run {run_id} is leased by {record.lease_owner}; try again later")
        await self._running[run_id]
        return self.store.runs.require(run_id)

    async def shutdown(self) -> None:
        """Stop every run this worker holds and give their leases back."""
        for task in self._running.values():
            task.cancel()
        await asyncio.gather(*self._running.values(), return_exceptions=True)

    def _start_claimable(self) -> bool:
        free = self.max_concurrent_runs - len(self._running)
        if free <= 0:
            return False
        started = False
        for run_id in self.store.runs.claimable(limit=free * 2):
            if len(self._running) >= self.max_concurrent_runs:
                break
            if run_id not in self._running and self._claim_and_start(run_id):
                started = True
        return started

    def _claim_and_start(self, run_id: str) -> bool:
        if not self.store.runs.claim(run_id, self.owner, self.lease_seconds):
            return False
        task = asyncio.create_task(self._execute(run_id), name=f"run:{run_id}")
        self._running[run_id] = task
        task.add_done_callback(lambda _: self._finished(run_id))
        return True

    def _finished(self, run_id: str) -> None:
        self._running.pop(run_id, None)
        self._wake()  # a slot is free: the next queued run may start

    # -- one run ---------------------------------------------------------------------

    async def _execute(self, run_id: str) -> None:
        run = self.store.runs.get(run_id)
        assert run is not None
        trace = self.telemetry.run_trace(task_id=run.task_id, run_id=run_id, workflow=run.workflow)
        trace_id = format_trace_id(trace.trace_id)
        if self._writer.commits_inline:
            # SQLite: one row written here, as the journal's commits are; a thread hop cost
            # 0.3-2.7 ms before the run's first step, against 0.2-0.4 ms for the write.
            self.store.tasks.set_trace_id(run.task_id, trace_id)
        else:
            await asyncio.to_thread(self.store.tasks.set_trace_id, run.task_id, trace_id)
        started = time.perf_counter()
        status = RunStatus.RUNNING  # unless the run ends here
        with bound_contextvars(task_id=run.task_id, run_id=run_id, trace_id=trace_id):
            try:
                status = await self._execute_run(run, trace)
            finally:
                trace.finish(status.value)
                if status.finished:
                    await self._count_finished(run, status, time.perf_counter() - started)

    async def _count_finished(self, run: RunRecord, status: RunStatus, seconds: float) -> None:
        """Metrics of a run that ended here, by its own status and its task's."""
        if not self.telemetry.counting:
            return  # a CLI command's: no registry to count in, no task to read for it
        metrics = self.telemetry.metrics
        metrics.runs_finished.labels(run.workflow, status.value).inc()
        task = await asyncio.to_thread(self.store.tasks.get, run.task_id)
        task_status = task.status if task is not None else status.value
        metrics.tasks_finished.labels(task_status).inc()
        metrics.task_duration.labels(task_status).observe(seconds)

    async def _execute_run(self, run: RunRecord, trace: RunTrace) -> RunStatus:
        """Run the workflow to its end and return how the run ended (RUNNING: released)."""
        run_id = run.run_id
        definition = self.registry.get(run.workflow)
        watch = (
            None
            if self.stall_grace_seconds is None
            else StallWatch(self.stall_grace_seconds, self.stall_default_timeout_seconds)
        )
        context = LocalRunContext(
            store=self.store,
            writer=self._writer,
            run_id=run_id,
            task_id=run.task_id,
            owner=self.owner,
            lease_seconds=self.lease_seconds,
            journal=self.store.journal.load(run_id),
            event_keys=self.store.journal.event_keys(run.task_id),
            signal_wakeup=self._signal_wakeup,
            listener=self._run_listener(run_id),
            trace=trace,
            watch=watch,
        )
        await context.emit(
            "run.started",
            {"workflow": run.workflow, "start": run.starts, "worker": self.owner},
            key=f"run/start/{run.starts}",
        )
        body = asyncio.current_task()
        assert body is not None
        heartbeat = asyncio.create_task(self._heartbeat(run_id, body))
        watchdog = None if watch is None else asyncio.create_task(self._watch(context, watch))
        try:
            if run.cancel_requested:  # asked while its previous worker held it
                raise asyncio.CancelledError
            output = await definition.fn(context, definition.input_type.model_validate(run.input))
            await context.emit("run.completed", {"replayed": context.replayed}, key="run/done")
            # The outcome goes in the commit of the last events: on the journal's connection,
            # not in a transaction of its own after them.
            outcome = RunOutcome(RunStatus.COMPLETED, result=output.model_dump(mode="json"))
            await self._writer.finish(run_id, self.owner, self.lease_seconds, outcome)
            return RunStatus.COMPLETED
        except asyncio.CancelledError:
            if run_id in self._cancelling or run.cancel_requested:
                await self._finish_cancelled(context, run)
                return RunStatus.CANCELLED
            # shutting down: another worker (or our restart) carries on
            _log().info("run.released", run_id=run_id)
            with contextlib.suppress(Exception):
                self.store.runs.release(run_id, self.owner)
            return RunStatus.RUNNING
        except LeaseLost:
            # Someone else owns the run now: leave it to them.
            _log().info("run.released", run_id=run_id)
            with contextlib.suppress(Exception):
                self.store.runs.release(run_id, self.owner)
            return RunStatus.RUNNING
        except Exception as failure:  # noqa: BLE001 - the run fails, the worker carries on
            message = f"{type(failure).__name__}: {failure}"
            await context.emit("run.failed", {"error": message}, key="run/failed")
            outcome = RunOutcome(RunStatus.FAILED, error=message)
            await self._writer.finish(run_id, self.owner, self.lease_seconds, outcome)
            return RunStatus.FAILED
        finally:
            heartbeat.cancel()
            if watchdog is not None:
                watchdog.cancel()
            self._cancelling.discard(run_id)
            self._writer.forget(run_id)

    async def _finish_cancelled(self, context: LocalRunContext, run: RunRecord) -> None:
        _log().info("run.cancelled", run_id=run.run_id)
        await context.emit("run.cancelled", {}, key="run/cancelled")
        await self._writer.flush()
        if self.store.runs.finish(
            run.run_id, self.owner, RunStatus.CANCELLED, error="cancelled on request"
        ):
            self._record_cancelled(run, "cancelled on request")

    async def _heartbeat(self, run_id: str, body: asyncio.Task[Any]) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            renewed = await asyncio.to_thread(
                self.store.runs.renew, run_id, self.owner, self.lease_seconds
            )
            if not renewed:
                _log().warning("run.lease_lost", run_id=run_id, owner=self.owner)
                body.cancel()
                return
            # `run` and `run_until_idle` have no poll loop: the heartbeat notices for them.
            if await asyncio.to_thread(self.store.runs.cancel_requested, [run_id]):
                self._stop(run_id)
                return

    async def _watch(self, context: LocalRunContext, watch: StallWatch) -> None:
        """Abandon the run's stalled activities, each with a `run.stalled` event."""
        period = min(max(watch.grace_seconds / 2, 0.05), self.lease_seconds / 3)
        while True:
            await asyncio.sleep(period)
            for report in watch.check():
                _log().warning("run.stalled", run_id=context.run_id, key=report.key)
                await context.emit(
                    "run.stalled",
                    {
                        "key": report.key,
                        "activity": report.activity,
                        "idle_seconds": round(report.idle_seconds, 3),
                        "limit_seconds": report.limit_seconds,
                        "action": "cancelled; the caller may retry it",
                    },
                    key=f"{report.key}/stalled",
                )

    def _run_listener(self, run_id: str) -> EventListener | None:
        listener = self._listener
        if listener is None:
            return None
        return lambda event_type, payload: listener(run_id, event_type, dict(payload))


async def _first(*events: asyncio.Event, timeout: float) -> None:
    """Wait until one of the events is set, or the timeout passes."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
