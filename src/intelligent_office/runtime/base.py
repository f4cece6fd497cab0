"""The Runtime protocol: everything workflow code may do that touches the world.

Workflow code (the engine's scheduler, the Office loop) is deterministic and reaches
the outside only through these calls. Every call carries a stable key derived from
the workflow's structure (e.g. `node/build/attempt/1`): the local runtime journals
results by key and replays them after a crash; Temporal uses it as the activity id.
"""

from __future__ import annotations

import uuid as _uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, JsonValue

from intelligent_office.runtime.activity import Activity

__all__ = ["EventListener", "Runtime", "deterministic_uuid"]

InT = TypeVar("InT", bound=BaseModel)
OutT = TypeVar("OutT", bound=BaseModel)

# Called synchronously for every event a runtime emits (live views, tests).
EventListener = Callable[[str, Mapping[str, JsonValue]], None]


@runtime_checkable
class Runtime(Protocol):
    """What a running workflow may do besides pure computation."""

    @property
    def run_id(self) -> str:
        """The id of the run this runtime serves."""
        ...

    async def activity(
        self,
        key: str,
        activity: Activity[InT, OutT],
        value: InT,
        *,
        timeout_seconds: float | None = None,
    ) -> OutT:
        """Run `activity(value)` once per key and return its result.

        Raises:
            ActivityError: the activity failed (its `retryable` says whether to retry);
                a timeout is a retryable ActivityError with error_type "TimeoutError".
        """
        ...

    async def wait_signal(self, name: str, *, timeout_seconds: float | None = None) -> JsonValue:
        """Wait for the signal `name` sent to this run and return its payload.

        Raises:
            SignalTimeout: nothing arrived within `timeout_seconds` (measured durably).
        """
        ...

    async def sleep(self, key: str, seconds: float) -> None:
        """Sleep durably: after a restart only the remaining time is slept."""
        ...

    async def now(self, key: str) -> datetime:
        """The current time in UTC, recorded under `key` so a replay sees the same value."""
        ...

    def uuid(self, key: str) -> str:
        """A uuid that is the same every time this run asks with this key."""
        ...

    async def emit(
        self,
        event_type: str,
        payload: Mapping[str, JsonValue] | None = None,
        *,
        key: str | None = None,
    ) -> None:
        """Record an event. Emitting the same key twice in one run records it once."""
        ...


def deterministic_uuid(run_id: str, key: str) -> str:
    """uuid5 of the run and key: stable across replays on every runtime."""
    return str(_uuid.uuid5(_uuid.NAMESPACE_URL, f"office-run:{run_id}/{key}"))
