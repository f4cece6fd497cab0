"""The inline runtime: calls activities directly and journals nothing.

For library use inside another program and for unit tests. A crash loses the run.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TypeVar

from pydantic import BaseModel, JsonValue

from intelligent_office.errors import ActivityError, SignalTimeout, is_retryable
from intelligent_office.runtime.activity import Activity, call_activity
from intelligent_office.runtime.base import EventListener, deterministic_uuid

__all__ = ["InlineRuntime", "event_key", "to_activity_error"]

InT = TypeVar("InT", bound=BaseModel)
OutT = TypeVar("OutT", bound=BaseModel)


def event_key(event_type: str, payload: Mapping[str, JsonValue]) -> str:
    """The default dedup key of an event: its type and a hash of its payload."""
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[
        :16
    ]
    return f"{event_type}/{digest}"


def to_activity_error(key: str, error: BaseException) -> ActivityError:
    """Wrap any exception an activity raised into the ActivityError workflows see."""
    if isinstance(error, ActivityError):
        return error
    if isinstance(error, TimeoutError):
        return ActivityError(key, "TimeoutError", str(error) or "timed out", retryable=True)
    return ActivityError(key, type(error).__name__, str(error), retryable=is_retryable(error))


class InlineRuntime:
    """Runs activities in-process with no journal; signals are delivered in memory."""

    def __init__(self, run_id: str = "inline", listener: EventListener | None = None) -> None:
        self._run_id = run_id
        self._listener = listener
        self._signals: dict[str, JsonValue] = {}
        self._signal_arrived: dict[str, asyncio.Event] = {}
        self._seen_events: set[str] = set()
        self.events: list[tuple[str, dict[str, JsonValue]]] = []

    @property
    def run_id(self) -> str:
        return self._run_id

    async def activity(
        self,
        key: str,
        activity: Activity[InT, OutT],
        value: InT,
        *,
        timeout_seconds: float | None = None,
    ) -> OutT:
        try:
            return await call_activity(activity, value, timeout_seconds)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - every failure becomes an ActivityError
            raise to_activity_error(key, error) from error

    def send_signal(self, name: str, payload: JsonValue = None) -> None:
        """Deliver a signal; the first payload sent under a name wins."""
        self._signals.setdefault(name, payload)
        self._signal_arrived.setdefault(name, asyncio.Event()).set()

    async def wait_signal(self, name: str, *, timeout_seconds: float | None = None) -> JsonValue:
        arrived = self._signal_arrived.setdefault(name, asyncio.Event())
        try:
            async with asyncio.timeout(timeout_seconds):
                await arrived.wait()
        except TimeoutError:
            raise SignalTimeout(f"no signal {name!r} within {timeout_seconds} s") from None
        return self._signals[name]

    async def sleep(self, key: str, seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def now(self, key: str) -> datetime:
        return datetime.now(UTC)

    def uuid(self, key: str) -> str:
        return deterministic_uuid(self._run_id, key)

    async def emit(
        self,
        event_type: str,
        payload: Mapping[str, JsonValue] | None = None,
        *,
        key: str | None = None,
    ) -> None:
        body = dict(payload or {})
        dedup = key or event_key(event_type, body)
        if dedup in self._seen_events:
            return
        self._seen_events.add(dedup)
        self.events.append((event_type, body))
        if self._listener is not None:
            self._listener(event_type, body)
