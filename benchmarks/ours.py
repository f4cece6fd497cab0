"""Our engine as a benchmark subject, on the inline runtime and on the local runtime (SQLite).

Both run the same `Graph` through `run_graph`. On the local runtime the graph runs inside
a registered workflow claimed by a `LocalWorker`, so every node's result is committed to
the journal before it is handed back; a timed run is `worker.run(run_id)` end to end
(claim, journal load, graph, finish), and the time inside the workflow body is reported
beside it.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from benchmarks.harness import Outcome, Shape, TimedRun, sqlite_synchronous_name
from intelligent_office.engine import Graph, Node, run_graph
from intelligent_office.runtime import (
    Empty,
    InlineRuntime,
    Runtime,
    WorkflowDef,
    WorkflowRegistry,
    activity,
    workflow_def,
)

if TYPE_CHECKING:
    from intelligent_office.runtime.worker import LocalWorker
    from intelligent_office.store import Store

__all__ = ["open_subject"]

WORKFLOW_NAME = "bench.graph"


@activity("bench.noop")
async def noop(value: Empty) -> Empty:
    """Zero-latency work."""
    return Empty()


@activity("bench.sleep")
async def sleep_50ms(value: Empty) -> Empty:
    """50 ms of waiting, the latency of the fan-out's parallel nodes."""
    await asyncio.sleep(0.05)
    return Empty()


def build_graph(shape: Shape) -> Graph:
    """The shape as an engine graph; only the fan-out's parallel nodes have latency."""
    if shape.latency_seconds not in (0.0, 0.05):
        raise ValueError(f"no activity for a latency of {shape.latency_seconds} s")
    work = sleep_50ms if shape.latency_seconds else noop
    if shape.kind == "chain":
        return Graph(
            Node(id=f"n{i}", activity=work, dependencies=(f"n{i - 1}",) if i else ())
            for i in range(shape.size)
        )
    middle = [f"n{i}" for i in range(shape.size)]
    return Graph(
        [
            Node(id="source", activity=noop),
            *(Node(id=node_id, activity=work, dependencies=("source",)) for node_id in middle),
            Node(id="sink", activity=noop, dependencies=tuple(middle)),
        ]
    )


class GraphDone(BaseModel):
    """How many nodes the workflow completed and how long `run_graph` took inside it."""

    completed: int
    graph_seconds: float


class InlineSubject:
    """`run_graph` on a fresh `InlineRuntime` per run."""

    def __init__(self, shape: Shape) -> None:
        self._shape = shape
        self._graph: Graph | None = None
        self.nodes = shape.graph_nodes

    def build(self) -> None:
        self._graph = build_graph(self._shape)

    async def prepare(self) -> TimedRun:
        graph, runtime = self._graph, InlineRuntime()
        assert graph is not None

        async def run() -> Outcome:
            result = await run_graph(graph, runtime, max_parallel=self._shape.size)
            return Outcome(len(result.completion_order))

        return run

    def details(self) -> dict[str, Any]:
        return {"runtime": "inline", "max_parallel": self._shape.size}

    async def close(self) -> None:
        pass


class LocalSubject:
    """A workflow running `run_graph`, submitted and run by a `LocalWorker` on SQLite."""

    def __init__(self, shape: Shape, workdir: Path, synchronous: Literal["NORMAL", "FULL"]) -> None:
        self._shape = shape
        self._graph: Graph | None = None
        # Imported here so the inline scenarios measure the engine without the SQL store.
        from intelligent_office.runtime.worker import LocalWorker
        from intelligent_office.store import Store

        url = f"sqlite:///{workdir / 'office.db'}"
        self._store: Store = Store.open(url, sqlite_synchronous=synchronous)
        self._worker: LocalWorker = LocalWorker(self._store, WorkflowRegistry([self._workflow()]))
        self._runs = 0
        self.nodes = shape.graph_nodes

    def _workflow(self) -> WorkflowDef[Empty, GraphDone]:
        @workflow_def(WORKFLOW_NAME)
        async def run_built_graph(runtime: Runtime, value: Empty) -> GraphDone:
            assert self._graph is not None
            started = time.perf_counter()
            result = await run_graph(self._graph, runtime, max_parallel=self._shape.size)
            elapsed = time.perf_counter() - started
            return GraphDone(completed=len(result.completion_order), graph_seconds=elapsed)

        return run_built_graph

    def build(self) -> None:
        self._graph = build_graph(self._shape)

    async def prepare(self) -> TimedRun:
        self._runs += 1
        task, _ = self._store.tasks.create(
            task_id=f"bench-{self._runs}", user_id="bench", description=self._shape.name
        )
        run_id = self._worker.submit(WORKFLOW_NAME, Empty(), task_id=task.task_id).run_id

        async def run() -> Outcome:
            record = await self._worker.run(run_id)
            if record.status.value != "completed" or record.result is None:
                raise RuntimeError(f"run {run_id} ended {record.status}: {record.error}")
            done = GraphDone.model_validate(record.result)
            return Outcome(done.completed, inner_seconds=done.graph_seconds)

        return run

    def details(self) -> dict[str, Any]:
        with self._store.engine.connect() as connection:
            synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar()
            journal_mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        return {
            "runtime": "local",
            "database": "sqlite",
            "sqlite_journal_mode": journal_mode,
            "sqlite_synchronous": sqlite_synchronous_name(synchronous),
            "max_parallel": self._shape.size,
            "timed": "worker.run(run_id): claim, journal load, run_graph, finish",
            "inner_seconds": "run_graph alone, measured inside the workflow body",
        }

    async def close(self) -> None:
        self._store.close()


async def open_subject(system: str, shape: Shape, workdir: Path) -> InlineSubject | LocalSubject:
    """The subject for `system`: "ours_inline", "ours_local" or "ours_local_full"."""
    if system == "ours_inline":
        return InlineSubject(shape)
    if system == "ours_local":
        return LocalSubject(shape, workdir, synchronous="NORMAL")
    if system == "ours_local_full":
        return LocalSubject(shape, workdir, synchronous="FULL")
    raise ValueError(f"unknown system {system!r}")
