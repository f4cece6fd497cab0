"""A task's time limit: its `deadline`, or `constraints.max_duration` from when it started.

Deterministic workflow code: the clock is read through `runtime.now(key)`, so a replay
sees the times the first run saw. The Office checks the limit before the task is
decomposed and before every iteration of every subtask, and gives a running step no
more time than is left; past the limit the task stops with a `timeout` dead letter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from intelligent_office.models import Task
from intelligent_office.runtime.base import Runtime

__all__ = ["TimeLimit"]


@dataclass(frozen=True)
class TimeLimit:
    """When a task must be done by, and which of its limits says so; `at` None: no limit."""

    at: datetime | None = None
    source: str = ""

    @classmethod
    async def of(cls, runtime: Runtime, task: Task) -> TimeLimit:
        """The earlier of the task's deadline and its start plus `max_duration`."""
        limits: list[tuple[datetime, str]] = []
        if task.deadline is not None:
            limits.append((task.deadline, f"the task's deadline {_shown(task.deadline)}"))
        seconds = task.constraints.max_duration
        if seconds is not None:
            started = await runtime.now("task/time_limit/started_at")
            limits.append(
                (started + timedelta(seconds=seconds), f"the task's max_duration of {seconds:g} s")
            )
        if not limits:
            return cls()
        at, source = min(limits, key=lambda limit: limit[0])
        return cls(at, source)

    async def left(self, runtime: Runtime, key: str) -> float | None:
        """Seconds left (0 or less: the limit has passed); None without a limit."""
        if self.at is None:
            return None
        now = await runtime.now(f"{key}/clock")
        return (self.at - now).total_seconds()

    async def passed(self, runtime: Runtime, key: str) -> str | None:
        """Why the task must stop now, or None while there is time left."""
        left = await self.left(runtime, key)
        if left is None or left > 0:
            return None
        return f"{self.source} passed"


def _shown(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
