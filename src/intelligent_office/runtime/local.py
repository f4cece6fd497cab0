"""The local runtime's view of one run: journaled activities, durable sleeps and signals.

Before an activity's result is handed back it is committed to the journal under its
key, with what the activity was given (its input, capped) and when it started. When
the run restarts after a crash, the workflow function runs again from the top and
every journaled key is answered from the journal, so finished activities never run
again; only the one in flight at the crash may (side effects are at-least-once).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, JsonValue

from intelligent_office.errors import ActivityError, SignalTimeout
from intelligent_office.observability.tracing import RunTrace
from intelligent_office.runtime.activity import Activity, call_activity
from intelligent_office.runtime.base import EventListener, deterministic_uuid
from intelligent_office.runtime.fork import FORK_INPUT_PREFIX, FORK_REPLACE_KEY, patched_input
from intelligent_office.runtime.inline import event_key, to_activity_error
from intelligent_office.runtime.journal_writer import JournalWriter
from intelligent_office.runtime.stall import StallWatch
from intelligent_office.runtime.step_input import recorded_input
from intelligent_office.store import JournalEntry, PendingEvent, Store

__all__ = ["LocalRunContext"]

InT = TypeVar("InT", bound=BaseModel)
OutT = TypeVar("OutT", bound=BaseModel)

SIGNAL_POLL_SECONDS = 0.25


class LocalRunContext:
    """Implements `Runtime` for one run of the local runtime."""

    def __init__(
        self,
        *,
        store: Store,
        writer: JournalWriter,
        run_id: str,
        task_id: str,
        owner: str | None,
        lease_seconds: float,
        journal: dict[str, JournalEntry],
        event_keys: set[str],
        signal_wakeup: Callable[[str, str], asyncio.Event],
        listener: EventListener | None = None,
        trace: RunTrace | None = None,
        watch: StallWatch | None = None,
    ) -> None:
        self._store = store
        self._writer = writer
        self._run_id = run_id
        self._task_id = task_id
        self._owner = owner
        self._lease_seconds = lease_seconds
        self._journal = journal
        self._event_keys = event_keys
        self._signal_wakeup = signal_wakeup
        self._listener = listener
        self._trace = trace
        self._watch = watch
        self.replayed = 0

    @property
    def run_id(self) -> str:
        return self._run_id

    @property
    def task_id(self) -> str:
        """The task this run belongs to."""
        return self._task_id

    def _record(self, entry: JournalEntry) -> Coroutine[Any, Any, None]:
        """Journal `entry`; the writer's own awaitable, done once it is committed."""
        # Not a coroutine of its own: a step's task resumes through every frame between it
        # and the commit's future, and a fan-out's hundreds of steps all wait there.
        self._journal[entry.key] = entry
        return self._writer.record(self._run_id, self._owner, self._lease_seconds, entry)

    async def activity(
        self,
        key: str,
        activity: Activity[InT, OutT],
        value: InT,
        *,
        timeout_seconds: float | None = None,
    ) -> OutT:
        recorded = self._journal.get(key)
        if recorded is not None:
            self.replayed += 1
            return _replay(recorded, activity)
        started_at = _utcnow()
        seen: str | None = None
        writer = self._writer
        try:
            # A forked run may carry an edited input for this step.
            value = patched_input(
                value,
                self._journal.get(FORK_INPUT_PREFIX + key),
                self._journal.get(FORK_REPLACE_KEY),
            )
            seen = recorded_input(value)
            # The body is awaited here, not in a helper coroutine: every frame between the
            # node's task and the body is resumed again at each of the body's steps.
            writer.activity_started()
            try:
                if self._trace is None:
                    output = await self._body(key, activity, value, timeout_seconds)
                else:
                    with self._trace.activity(key, activity.name):
                        output = await self._body(key, activity, value, timeout_seconds)
            finally:
                writer.activity_ended()
        except asyncio.CancelledError:
            raise
        except Exception as failure:  # noqa: BLE001 - every failure is journaled, then raised
            error = to_activity_error(key, failure)
            await self._record(
                JournalEntry(
                    key=key,
                    activity=activity.name,
                    ok=False,
                    error_type=error.error_type,
                    error=error.detail,
                    retryable=error.retryable,
                    input=seen,
                    started_at=started_at,
                )
            )
            raise error from failure
        await self._record(
            JournalEntry(
                key=key,
                activity=activity.name,
                ok=True,
                output=output.model_dump(mode="json"),
                input=seen,
                started_at=started_at,
            )
        )
        return output

    def _body(
        self, key: str, activity: Activity[InT, OutT], value: InT, timeout_seconds: float | None
    ) -> Awaitable[OutT]:
        """The activity's own coroutine, or the stall watch's wrapper around it."""
        work = (
            activity.fn(value)
            if timeout_seconds is None
            else call_activity(activity, value, timeout_seconds)
        )
        if self._watch is None:
            return work
        return self._watch.run(key, activity.name, work, timeout_seconds)

    async def _recorded_value(self, key: str, kind: str, make: Callable[[], Any]) -> Any:
        """A value computed once per key and replayed from the journal afterwards."""
        recorded = self._journal.get(key)
        if recorded is not None and recorded.output is not None:
            return recorded.output["value"]
        value = make()
        await self._record(JournalEntry(key=key, activity=kind, ok=True, output={"value": value}))
        return value

    async def sleep(self, key: str, seconds: float) -> None:
        wake_at = await self._recorded_value(
            key, "sleep", lambda: (_utcnow() + timedelta(seconds=seconds)).isoformat()
        )
        remaining = (datetime.fromisoformat(wake_at) - _utcnow()).total_seconds()
        if remaining > 0:
            await asyncio.sleep(remaining)

    async def now(self, key: str) -> datetime:
        stamp = await self._recorded_value(key, "now", lambda: _utcnow().isoformat())
        return datetime.fromisoformat(stamp)

    def uuid(self, key: str) -> str:
        return deterministic_uuid(self._run_id, key)

    async def wait_signal(self, name: str, *, timeout_seconds: float | None = None) -> JsonValue:
        if self._trace is None or f"signal/{name}" in self._journal:
            return await self._wait_signal(name, timeout_seconds)
        with self._trace.signal(name):
            return await self._wait_signal(name, timeout_seconds)

    async def _wait_signal(self, name: str, timeout_seconds: float | None) -> JsonValue:
        key = f"signal/{name}"
        recorded = self._journal.get(key)
        if recorded is not None:
            if not recorded.ok:
                raise SignalTimeout(recorded.error or f"no signal {name!r}")
            return (recorded.output or {}).get("value")
        deadline: datetime | None = None
        if timeout_seconds is not None:
            stamp = await self._recorded_value(
                f"{key}/deadline",
                "signal.deadline",
                lambda: (_utcnow() + timedelta(seconds=timeout_seconds)).isoformat(),
            )
            deadline = datetime.fromisoformat(stamp)
        wakeup = self._signal_wakeup(self._run_id, name)
        while True:
            arrived, payload = await asyncio.to_thread(self._store.signals.get, self._run_id, name)
            if arrived:
                await self._record(
                    JournalEntry(key=key, activity="signal", ok=True, output={"value": payload})
                )
                return payload
            wait = SIGNAL_POLL_SECONDS
            if deadline is not None:
                left = (deadline - _utcnow()).total_seconds()
                if left <= 0:
                    message = f"no signal {name!r} within {timeout_seconds} s"
                    await self._record(
                        JournalEntry(key=key, activity="signal", ok=False, error=message)
                    )
                    raise SignalTimeout(message)
                wait = min(wait, left)
            wakeup.clear()
            try:
                await asyncio.wait_for(wakeup.wait(), wait)
            except TimeoutError:
                pass

    async def emit(
        self,
        event_type: str,
        payload: Mapping[str, JsonValue] | None = None,
        *,
        key: str | None = None,
    ) -> None:
        body = dict(payload or {})
        dedup = f"{self._run_id}/{key or event_key(event_type, body)}"
        if dedup in self._event_keys:
            return
        self._event_keys.add(dedup)
        self._writer.add_event(
            self._run_id,
            self._owner,
            self._lease_seconds,
            PendingEvent(
                task_id=self._task_id,
                run_id=self._run_id,
                type=event_type,
                time=_utcnow(),
                dedup_key=dedup,
                payload=body,
            ),
        )
        if self._watch is not None:
            self._watch.progress()
        if self._trace is not None:
            self._trace.on_event(event_type, body)
        if self._listener is not None:
            self._listener(event_type, body)


def _replay(recorded: JournalEntry, activity: Activity[Any, OutT]) -> OutT:
    if recorded.ok:
        return activity.output_type.model_validate(recorded.output or {})
    raise ActivityError(
        recorded.key,
        recorded.error_type or "Error",
        recorded.error or "",
        retryable=recorded.retryable,
    )


def _utcnow() -> datetime:
    return datetime.now(UTC)
