"""The Office's activities as Temporal activities, plus the workflow's own bookkeeping.

Each `Activity` bound on `OfficeActivities` becomes a Temporal activity under its stable
name (`office.plan`, `office.run_step` ...) that runs the same function. Around it the
wrapper stores the events the workflow emitted since its last call, heartbeats while
the function runs (so a lost worker is noticed within the heartbeat timeout, however
long a tool takes), enforces the call's own timeout, and turns any failure into a
non-retryable `ApplicationError` carrying the Office's error type and retryability:
the workflow code decides about retries, as it does on the local runtime.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from temporalio import activity as temporal_activity
from temporalio.exceptions import ApplicationError

from intelligent_office.activities.office_activities import OfficeActivities
from intelligent_office.errors import UserError
from intelligent_office.runtime.activity import Activity, call_activity
from intelligent_office.runtime.inline import to_activity_error
from intelligent_office.runtime.step_input import recorded_input
from intelligent_office.runtime.temporal.activity_stubs import tool_flags
from intelligent_office.runtime.temporal.messages import (
    ActivityCall,
    EventRecord,
    RunFinish,
    ToolFlags,
)
from intelligent_office.runtime.temporal.recording import StoreRecorder
from intelligent_office.runtime.temporal.runtime import FLUSH_EVENTS
from intelligent_office.runtime.temporal.workflow import FINISH_RUN, TOOL_FLAGS
from intelligent_office.store import JournalEntry, RunStatus, Store

__all__ = ["TemporalActivities", "temporal_activity_for"]


@contextlib.asynccontextmanager
async def _heartbeats() -> AsyncIterator[None]:
    """Heartbeat at a third of the heartbeat timeout until the body is done."""
    timeout = temporal_activity.info().heartbeat_timeout
    if timeout is None:
        yield
        return
    interval = timeout.total_seconds() / 3

    async def beat() -> None:
        while True:  # the first beat after an interval: most activities end before it
            await asyncio.sleep(interval)
            temporal_activity.heartbeat()

    beating = asyncio.create_task(beat())
    try:
        yield
    finally:
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating


async def _drop_events(call: ActivityCall) -> None:
    """Events of a run with no row in the store (an agent workflow's) are not kept."""


async def _keep_nothing(call: ActivityCall, entry: JournalEntry) -> None:
    """Outcomes of a run with no row in the store are not copied to its journal."""


def temporal_activity_for(
    target: Activity[Any, Any],
    before: Callable[[ActivityCall], Awaitable[None]] = _drop_events,
    after: Callable[[ActivityCall, JournalEntry], Awaitable[None]] = _keep_nothing,
) -> Callable[..., Awaitable[Any]]:
    """`target` as a Temporal activity under its stable name: `before` takes the call's
    events, then the function runs with heartbeats and its own timeout, `after` takes
    its outcome, and a failure goes back as a non-retryable ApplicationError carrying
    its type and retryability."""

    async def run(value: Any, call: ActivityCall) -> Any:
        await before(call)
        started_at = datetime.now(UTC)
        seen = recorded_input(value) if isinstance(value, BaseModel) else None
        async with _heartbeats():
            try:
                output = await call_activity(target, value, call.timeout_seconds)
            except Exception as failure:  # noqa: BLE001 - handed to the workflow as data
                error = to_activity_error(call.key, failure)
                await after(
                    call,
                    JournalEntry(
                        key=call.key,
                        activity=target.name,
                        ok=False,
                        error_type=error.error_type,
                        error=error.detail,
                        retryable=error.retryable,
                        input=seen,
                        started_at=started_at,
                    ),
                )
                raise ApplicationError(
                    error.detail, error.retryable, type=error.error_type, non_retryable=True
                ) from failure
        outcome = output.model_dump(mode="json")
        done = JournalEntry(
            key=call.key,
            activity=target.name,
            ok=True,
            output=outcome,
            input=seen,
            started_at=started_at,
        )
        await after(call, done)
        return output

    # The SDK reads the argument types from the hints to decode the payloads.
    run.__annotations__ = {
        "value": target.input_type,
        "call": ActivityCall,
        "return": target.output_type,
    }
    run.__qualname__ = run.__name__ = target.name.replace(".", "_")
    return temporal_activity.defn(name=target.name)(run)


class TemporalActivities:
    """The activities a Temporal worker of the Office registers."""

    def __init__(self, agents: OfficeActivities, store: Store) -> None:
        self._agents = agents
        self._store = store
        self._recorder = StoreRecorder(store)

    def all(self) -> list[Callable[..., Awaitable[Any]]]:
        """Every agent activity by its stable name, and the workflow's bookkeeping ones."""
        bound = [value for value in vars(self._agents).values() if isinstance(value, Activity)]
        wrapped = [self._wrap(target) for target in sorted(bound, key=lambda a: a.name)]
        bookkeeping: list[Callable[..., Awaitable[Any]]] = [
            self.tool_flags,
            self.record_events,
            self.finish_run,
        ]
        return wrapped + bookkeeping

    def _wrap(self, target: Activity[Any, Any]) -> Callable[..., Awaitable[Any]]:
        # Temporal's history is the run's journal; the SQL copy lists its steps
        # (`office steps`) and seeds a fork of it on either runtime.
        return temporal_activity_for(
            target, self._recorder.store_events, self._recorder.copy_outcome
        )

    @temporal_activity.defn(name=TOOL_FLAGS)
    async def tool_flags(self, call: ActivityCall) -> ToolFlags:
        """Which of this worker's tools are idempotent."""
        return tool_flags(self._agents.tools)

    @temporal_activity.defn(name=FLUSH_EVENTS)
    async def record_events(self, call: ActivityCall) -> None:
        """Store events the workflow emitted (before it waits for a signal or a timer)."""
        await self._recorder.store_events(call)

    @temporal_activity.defn(name=FINISH_RUN)
    async def finish_run(self, finish: RunFinish) -> None:
        """Record how the run ended: its last events, its status, and a cancelled task."""
        await asyncio.to_thread(self._finish, finish)

    def _finish(self, finish: RunFinish) -> None:
        self._recorder.write_events(finish.run_id, finish.task_id, finish.events)
        status = RunStatus(finish.status)
        if status is RunStatus.CANCELLED:
            self._record_cancelled(finish)
        self._store.runs.finish(
            finish.run_id, None, status, result=finish.result, error=finish.error
        )

    def _record_cancelled(self, finish: RunFinish) -> None:
        """As on the local runtime: the event, the task's status, no pending approvals."""
        cancelled = EventRecord(
            type="task.cancelled",
            dedup_key=f"{finish.run_id}/task/cancelled",
            time=datetime.now(UTC),
            payload={"reason": "cancelled"},
        )
        self._recorder.write_events(finish.run_id, finish.task_id, [cancelled])
        self._agents.records.set_task_status(finish.task_id, "cancelled")
        for approval in self._store.approvals.list(status="pending", task_id=finish.task_id):
            with contextlib.suppress(UserError):  # decided meanwhile
                self._store.approvals.decide(
                    approval.id, status="expired", by=None, comment="the task was cancelled"
                )
