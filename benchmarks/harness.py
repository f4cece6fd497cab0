"""One measurement in one fresh process: `python -m benchmarks.harness SYSTEM SHAPE`.

The parent (`engine_bench`) starts this module once per (system, shape) so that peak RSS
belongs to that scenario alone. Only the modules the system needs are imported, and the
RSS read right after them is the baseline that growth is measured from. The result is
printed as one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import json
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

__all__ = [
    "SHAPES",
    "SYSTEMS",
    "Outcome",
    "Shape",
    "Subject",
    "TimedRun",
    "peak_rss_mb",
    "sqlite_synchronous_name",
]


@dataclass(frozen=True, slots=True)
class Shape:
    """A graph to run: a fan-out/fan-in (source -> width parallel nodes -> sink) or a chain."""

    name: str
    kind: Literal["fanout", "chain"]
    size: int
    latency_seconds: float = 0.0

    @property
    def graph_nodes(self) -> int:
        """Nodes in the graph form: the fan-out adds a source and a sink."""
        return self.size + 2 if self.kind == "fanout" else self.size

    @property
    def critical_path_seconds(self) -> float:
        """Sum of latencies along the longest chain (source and sink take no time)."""
        return self.latency_seconds if self.kind == "fanout" else self.size * self.latency_seconds


SHAPES = {
    shape.name: shape
    for shape in (
        Shape("fanout500_sleep50ms", "fanout", 500, latency_seconds=0.05),
        Shape("fanout500", "fanout", 500),
        Shape("chain200", "chain", 200),
    )
}

# System name -> the modules it needs, imported before the baseline RSS reading; the
# first one defines `open_subject(system, shape, workdir)`.
SYSTEMS: dict[str, tuple[str, ...]] = {
    "ours_inline": ("benchmarks.ours",),
    "ours_local": ("benchmarks.ours",),
    "ours_local_full": ("benchmarks.ours",),
    "langgraph": ("benchmarks.peer_langgraph",),
    "langgraph_sqlite": ("benchmarks.peer_langgraph", "langgraph.checkpoint.sqlite.aio"),
    "langgraph_sqlite_async": ("benchmarks.peer_langgraph", "langgraph.checkpoint.sqlite.aio"),
    "asyncio": ("benchmarks.floor_asyncio",),
    "durable_floor": ("benchmarks.floor_durable",),
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one timed run reports: nodes completed (checked) and, if known, time spent inside."""

    completed: int
    inner_seconds: float | None = None


# One timed run, prepared by `Subject.prepare`.
TimedRun = Callable[[], Awaitable[Outcome]]


class Subject(Protocol):
    """A system under test, holding one built graph."""

    nodes: int
    """How many nodes (or tasks) one run executes."""

    def build(self) -> None:
        """Build (and compile) the graph; timed apart from the runs."""
        ...

    async def prepare(self) -> TimedRun:
        """Untimed per-run set-up (a fresh runtime, a queued run); returns the run to time."""
        ...

    def details(self) -> dict[str, Any]:
        """Extra facts for the report (e.g. time spent inside the workflow body)."""
        ...

    async def close(self) -> None:
        """Release files and connections."""
        ...


def sqlite_synchronous_name(value: object) -> str:
    """The name of a `PRAGMA synchronous` answer, which SQLite gives as a number."""
    names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    return names.get(value, str(value)) if isinstance(value, int) else str(value)


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MiB (ru_maxrss is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


async def measure(system: str, shape: Shape, *, repeats: int, warmup: int) -> dict[str, Any]:
    """Build the graph once, run it `warmup` times untimed and `repeats` times timed."""
    modules = [importlib.import_module(name) for name in SYSTEMS[system]]
    baseline = peak_rss_mb()
    with tempfile.TemporaryDirectory(prefix="engine-bench-") as workdir:
        subject: Subject = await modules[0].open_subject(system, shape, Path(workdir))
        try:
            started = time.perf_counter()
            subject.build()
            build_seconds = time.perf_counter() - started
            wall: list[float] = []
            inner: list[float] = []
            for attempt in range(warmup + repeats):
                run = await subject.prepare()
                gc.collect()
                started = time.perf_counter()
                outcome = await run()
                elapsed = time.perf_counter() - started
                if outcome.completed != subject.nodes:
                    raise RuntimeError(
                        f"{system} on {shape.name}: "
                        f"{outcome.completed} of {subject.nodes} nodes completed"
                    )
                if attempt >= warmup:
                    wall.append(elapsed)
                    if outcome.inner_seconds is not None:
                        inner.append(outcome.inner_seconds)
            details = subject.details()
        finally:
            await subject.close()
    peak = peak_rss_mb()
    return {
        "system": system,
        "shape": shape.name,
        "nodes": subject.nodes,
        "build_seconds": build_seconds,
        "wall_seconds": wall,
        "median_seconds": statistics.median(wall),
        "best_seconds": min(wall),
        "baseline_rss_mb": baseline,
        "peak_rss_mb": peak,
        "rss_growth_mb": peak - baseline,
        "inner_seconds": inner,
        "details": details,
    }


def main(argv: list[str] | None = None) -> None:
    """Run one measurement and print it as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("system", choices=sorted(SYSTEMS))
    parser.add_argument("shape", choices=sorted(SHAPES))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args(argv)
    result = asyncio.run(
        measure(args.system, SHAPES[args.shape], repeats=args.repeats, warmup=args.warmup)
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
