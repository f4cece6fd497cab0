"""Plain asyncio as the floor: what the shapes cost with no engine at all.

The fan-out is a gather of `size` tasks (each sleeping for the shape's latency, if any);
the chain awaits `size` coroutines one after the other.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from benchmarks.harness import Outcome, Shape, TimedRun

__all__ = ["open_subject"]


async def _work(latency_seconds: float) -> int:
    if latency_seconds:
        await asyncio.sleep(latency_seconds)
    return 1


class AsyncioSubject:
    """A gather of tasks or a chain of awaits."""

    def __init__(self, shape: Shape) -> None:
        self._shape = shape
        self.nodes = shape.size

    def build(self) -> None:
        pass

    async def prepare(self) -> TimedRun:
        size, latency = self._shape.size, self._shape.latency_seconds

        async def fan_out() -> Outcome:
            done = await asyncio.gather(*(asyncio.create_task(_work(latency)) for _ in range(size)))
            return Outcome(sum(done))

        async def chain() -> Outcome:
            done = 0
            for _ in range(size):
                done += await _work(latency)
            return Outcome(done)

        return fan_out if self._shape.kind == "fanout" else chain

    def details(self) -> dict[str, Any]:
        return {"form": "gather of tasks" if self._shape.kind == "fanout" else "awaited coroutines"}

    async def close(self) -> None:
        pass


async def open_subject(system: str, shape: Shape, workdir: Path) -> AsyncioSubject:
    """The plain-asyncio subject."""
    if system != "asyncio":
        raise ValueError(f"unknown system {system!r}")
    return AsyncioSubject(shape)
