"""`TemporalRuntime`: the Runtime protocol inside a Temporal workflow.

Workflow code (the Office loop) runs unchanged on it. Each `activity(key, ...)` is a
Temporal activity called by the activity's stable name with the key as its activity id,
so Temporal's history is the journal: a replay answers finished activities from it.
Sleeps are durable timers, `now` is the workflow clock, signals arrive through the
workflow's signal handler, and events are buffered and stored by the next activity
(or by a flush before the run waits), since workflow code does no I/O itself.

Retries stay where the workflow code puts them (the engine's retry policies, the
agent caller's attempts): every application error comes back at once as an
`ActivityError`. Temporal retries an activity by itself only when its worker was lost
(a missed heartbeat or start-to-close timeout), under the same activity id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, JsonValue
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError as TemporalActivityError
from temporalio.exceptions import ApplicationError, TimeoutType
from temporalio.exceptions import CancelledError as TemporalCancelledError
from temporalio.exceptions import TimeoutError as TemporalTimeoutError

from intelligent_office.errors import ActivityError, SignalTimeout, UserError
from intelligent_office.runtime.activity import Activity
from intelligent_office.runtime.base import deterministic_uuid
from intelligent_office.runtime.fork import FORK_INPUT_PREFIX, FORK_REPLACE_KEY, patched_input
from intelligent_office.runtime.inline import event_key
from intelligent_office.runtime.temporal.messages import (
    ActivityCall,
    EventRecord,
    ReplayedStep,
    RunProgress,
    TemporalRunInput,
    WorkflowRunInput,
)
from intelligent_office.store.records import JournalEntry

__all__ = [
    "FLUSH_EVENTS",
    "LOST_WORKER_ATTEMPTS",
    "TIMEOUT_GRACE_SECONDS",
    "TemporalRuntime",
    "activity_error",
]

InT = TypeVar("InT", bound=BaseModel)
OutT = TypeVar("OutT", bound=BaseModel)

FLUSH_EVENTS = "office.temporal.record_events"
"""The activity that stores buffered events when no other activity is about to."""

LOST_WORKER_ATTEMPTS = 3
"""Attempts of one activity when its worker is lost (heartbeat or start-to-close timeout)."""

TIMEOUT_GRACE_SECONDS = 10.0
"""Temporal's start-to-close exceeds the call's own timeout by this much: the activity
times itself out first (as the local runtime does), Temporal only backs it up."""


def activity_error(key: str, failure: TemporalActivityError) -> ActivityError | None:
    """The Office's ActivityError for a Temporal activity failure; None for a cancellation."""
    cause = failure.cause
    if isinstance(cause, ApplicationError):
        retryable = bool(cause.details[0]) if cause.details else not cause.non_retryable
        return ActivityError(key, cause.type or "Error", cause.message, retryable=retryable)
    if isinstance(cause, TemporalTimeoutError):
        kind = "heartbeat" if cause.type is TimeoutType.HEARTBEAT else "start-to-close"
        return ActivityError(key, "TimeoutError", f"{kind} timeout on Temporal", retryable=True)
    if isinstance(cause, TemporalCancelledError):
        return None
    return ActivityError(key, type(cause).__name__, str(cause or failure), retryable=True)


class TemporalRuntime:
    """Implements `Runtime` for one Office or agent workflow run inside a Temporal workflow."""

    def __init__(self, run: WorkflowRunInput) -> None:
        self._run = run
        steps = run.journal if isinstance(run, TemporalRunInput) else []
        self._journal: dict[str, ReplayedStep] = {step.key: step for step in steps}
        self._task_id = run.owner_task_id
        self._signals: dict[str, JsonValue] = {}
        self._waiting: list[str] = []
        self._timers = 0
        self._pending_events: list[EventRecord] = []
        self._seen_events: set[str] = set()
        self._running: list[str] = []
        self._finished = 0
        self._emitted = 0

    @property
    def run_id(self) -> str:
        return self._run.run_id

    @property
    def task_id(self) -> str:
        """The task this run works on."""
        return self._task_id

    def _call(self, key: str, timeout_seconds: float | None) -> ActivityCall:
        events, self._pending_events = self._pending_events, []
        return ActivityCall(
            run_id=self.run_id,
            task_id=self._task_id,
            key=key,
            timeout_seconds=timeout_seconds,
            events=events,
        )

    async def activity(
        self,
        key: str,
        activity: Activity[InT, OutT],
        value: InT,
        *,
        timeout_seconds: float | None = None,
    ) -> OutT:
        replayed = self._journal.get(key)
        if replayed is not None:  # a fork's copied step: its recorded outcome, not a call
            if replayed.ok:
                return activity.output_type.model_validate(replayed.output or {})
            raise ActivityError(
                key, replayed.error_type or "Error", replayed.error or "", retryable=False
            )
        try:
            value = patched_input(
                value,
                _entry(self._journal.get(FORK_INPUT_PREFIX + key)),
                _entry(self._journal.get(FORK_REPLACE_KEY)),
            )
        except UserError as error:
            raise ActivityError(key, "UserError", str(error), retryable=False) from None
        result: OutT = await self._execute(
            key, activity.name, [value], activity.output_type, timeout_seconds
        )
        return result

    async def _execute(
        self,
        key: str,
        name: str,
        args: list[Any],
        result_type: type[Any],
        timeout_seconds: float | None,
    ) -> Any:
        budget = timeout_seconds or self._run.activity_timeout_seconds
        self._running.append(key)
        try:
            return await workflow.execute_activity(
                name,
                args=[*args, self._call(key, timeout_seconds)],
                activity_id=key,
                result_type=result_type,
                start_to_close_timeout=timedelta(seconds=budget + TIMEOUT_GRACE_SECONDS),
                heartbeat_timeout=timedelta(seconds=self._run.heartbeat_seconds),
                retry_policy=RetryPolicy(
                    initial_interval=timedelta(milliseconds=200),
                    maximum_attempts=LOST_WORKER_ATTEMPTS,
                ),
            )
        except TemporalActivityError as failure:
            error = activity_error(key, failure)
            if error is None:
                raise asyncio.CancelledError from failure
            raise error from None
        finally:
            self._running.remove(key)
            self._finished += 1

    async def flush_events(self, key: str) -> None:
        """Store the buffered events now (before the run waits, and at its end)."""
        if self._pending_events:
            await self._execute(key, FLUSH_EVENTS, [], type(None), None)

    def take_events(self) -> list[EventRecord]:
        """Hand over the buffered events (to the activity that finishes the run)."""
        events, self._pending_events = self._pending_events, []
        return events

    def deliver(self, name: str, payload: JsonValue) -> None:
        """A signal arrived: the first payload under a name wins."""
        self._signals.setdefault(name, payload)

    async def wait_signal(self, name: str, *, timeout_seconds: float | None = None) -> JsonValue:
        replayed = self._journal.get(f"signal/{name}")
        if replayed is not None:  # a fork of a run that had this signal (an approval)
            if not replayed.ok:
                raise SignalTimeout(replayed.error or f"no signal {name!r}")
            return (replayed.output or {}).get("value")
        await self.flush_events(f"signal/{name}/events")
        self._waiting.append(name)
        try:
            await workflow.wait_condition(lambda: name in self._signals, timeout=timeout_seconds)
        except TimeoutError:
            raise SignalTimeout(f"no signal {name!r} within {timeout_seconds} s") from None
        finally:
            self._waiting.remove(name)
        return self._signals[name]

    async def sleep(self, key: str, seconds: float) -> None:
        if seconds >= 1:
            await self.flush_events(f"{key}/events")
        self._timers += 1
        try:
            await workflow.sleep(seconds)
        finally:
            self._timers -= 1

    async def now(self, key: str) -> datetime:
        return workflow.now()

    def uuid(self, key: str) -> str:
        return deterministic_uuid(self.run_id, key)

    async def emit(
        self,
        event_type: str,
        payload: Mapping[str, JsonValue] | None = None,
        *,
        key: str | None = None,
    ) -> None:
        body = dict(payload or {})
        dedup = f"{self.run_id}/{key or event_key(event_type, body)}"
        if dedup in self._seen_events:
            return
        self._seen_events.add(dedup)
        self._emitted += 1
        self._pending_events.append(
            EventRecord(type=event_type, dedup_key=dedup, time=workflow.now(), payload=body)
        )

    def progress(self, *, finished: bool) -> RunProgress:
        """What the run is doing now (the `office.progress` query)."""
        if finished:
            state = "finished"
        elif self._waiting or (self._timers and not self._running):
            state = "waiting"
        else:
            state = "running"
        return RunProgress(
            run_id=self.run_id,
            task_id=self._task_id,
            state=state,
            activities_finished=self._finished,
            activities_running=list(self._running),
            waiting_for=list(self._waiting),
            events_emitted=self._emitted,
        )


def _entry(step: ReplayedStep | None) -> JournalEntry | None:
    if step is None:
        return None
    return JournalEntry(key=step.key, activity=step.activity, ok=step.ok, output=step.output)
