"""Stall detection for one run of the local runtime: activities that hang past their limit.

An activity's own timeout (`asyncio.timeout`) cancels it in time as long as it lets
itself be cancelled. One that does not (a tool swallowing the cancellation, a client
stuck in clean-up) or that has no timeout at all (an agent waiting on a model) would
hold its run forever. The watch records each activity in flight and the last time the
run made progress (an event, or an activity finishing); the worker checks it regularly
and an activity with no progress for longer than its timeout (or the default) plus the
grace is abandoned: its awaiting caller gets a retryable `Stalled` error at once, while
the stuck coroutine is cancelled and left to end on its own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from intelligent_office.errors import Stalled

__all__ = ["StallReport", "StallWatch"]

T = TypeVar("T")


@dataclass(frozen=True)
class StallReport:
    """An activity found stalled (and abandoned)."""

    key: str
    activity: str
    idle_seconds: float
    limit_seconds: float


@dataclass
class _InFlight:
    activity: str
    started: float
    limit: float
    stalled: asyncio.Future[StallReport]


@dataclass
class StallWatch:
    """The activities in flight in one run, and when the run last made progress."""

    grace_seconds: float
    default_timeout_seconds: float
    clock: Callable[[], float] = time.monotonic
    last_progress: float = field(default=0.0)
    _inflight: dict[str, _InFlight] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.last_progress = self.clock()

    def progress(self) -> None:
        """The run did something visible (an event, a finished activity)."""
        self.last_progress = self.clock()

    async def run(
        self, key: str, activity: str, work: Awaitable[T], timeout_seconds: float | None
    ) -> T:
        """Await `work`, unless the watch finds it stalled first: then raise `Stalled`."""
        inner = asyncio.ensure_future(work)
        limit = (timeout_seconds or self.default_timeout_seconds) + self.grace_seconds
        entry = _InFlight(activity, self.clock(), limit, asyncio.get_running_loop().create_future())
        self._inflight[key] = entry
        try:
            either: list[asyncio.Future[Any]] = [inner, entry.stalled]
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
            if inner.done():
                return inner.result()
            report = entry.stalled.result()
            raise Stalled(
                f"no progress for {report.idle_seconds:.1f} s, more than its limit of"
                f" {report.limit_seconds:g} s (timeout plus grace): cancelled"
            )
        finally:
            del self._inflight[key]
            self.progress()
            if not inner.done():
                inner.cancel()
                # Not awaited: a stuck coroutine may never end; its outcome is dropped.
                inner.add_done_callback(_drop_outcome)

    def check(self) -> list[StallReport]:
        """Abandon every activity idle past its limit, and report them."""
        now = self.clock()
        found = []
        for key, entry in self._inflight.items():
            idle = now - max(self.last_progress, entry.started)
            if idle > entry.limit and not entry.stalled.done():
                report = StallReport(key, entry.activity, idle, entry.limit)
                entry.stalled.set_result(report)
                found.append(report)
        return found


def _drop_outcome(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()
