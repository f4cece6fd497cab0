"""The peer, LangGraph, as a benchmark subject: the same shapes as a `StateGraph`.

The fan-out is a source with an edge to each parallel node and a join edge from all of
them to the sink; every node appends to a list merged by `operator.add`, so parallel
writes meet in one state. The chain passes a counter along. Systems:

- langgraph: no checkpointer.
- langgraph_sqlite: `AsyncSqliteSaver` on a file, `durability="sync"`: each step's
  checkpoint is written before the next step starts, the guarantee our local runtime gives.
- langgraph_sqlite_async: the same saver with LangGraph's default `durability="async"`,
  where the checkpoint is written while the next step runs.
"""

from __future__ import annotations

import asyncio
import operator
from contextlib import AsyncExitStack
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import Durability

from benchmarks.harness import Outcome, Shape, TimedRun, sqlite_synchronous_name

if TYPE_CHECKING:
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

__all__ = ["open_subject"]


class FanState(TypedDict):
    """Fan-out state: every node appends one mark; parallel appends merge."""

    marks: Annotated[list[int], operator.add]


class ChainState(TypedDict):
    """Chain state: a counter each node increments."""

    count: int


async def _mark(state: FanState) -> dict[str, list[int]]:
    return {"marks": [1]}


async def _mark_after_50ms(state: FanState) -> dict[str, list[int]]:
    await asyncio.sleep(0.05)
    return {"marks": [1]}


async def _step(state: ChainState) -> dict[str, int]:
    return {"count": state["count"] + 1}


def build_graph(shape: Shape) -> StateGraph[Any, None, Any, Any]:
    """The shape as an uncompiled StateGraph; only the fan-out's parallel nodes have latency."""
    if shape.latency_seconds not in (0.0, 0.05):
        raise ValueError(f"no node for a latency of {shape.latency_seconds} s")
    if shape.kind == "chain":
        chain: StateGraph[ChainState, None, ChainState, ChainState] = StateGraph(ChainState)
        names = [f"n{i}" for i in range(shape.size)]
        for name in names:
            chain.add_node(name, _step)
        chain.add_edge(START, names[0])
        for before, after in pairwise(names):
            chain.add_edge(before, after)
        chain.add_edge(names[-1], END)
        return chain
    fan: StateGraph[FanState, None, FanState, FanState] = StateGraph(FanState)
    middle = [f"n{i}" for i in range(shape.size)]
    fan.add_node("source", _mark)
    fan.add_node("sink", _mark)
    work = _mark_after_50ms if shape.latency_seconds else _mark
    for name in middle:
        fan.add_node(name, work)
        fan.add_edge("source", name)
    fan.add_edge(START, "source")
    fan.add_edge(middle, "sink")
    fan.add_edge("sink", END)
    return fan


class LangGraphSubject:
    """A compiled StateGraph, with or without the SQLite checkpointer."""

    def __init__(
        self,
        shape: Shape,
        saver: AsyncSqliteSaver | None = None,
        *,
        durability: Durability | None = None,
        resources: AsyncExitStack | None = None,
        pragmas: dict[str, Any] | None = None,
    ) -> None:
        self._shape = shape
        self._saver = saver
        self._durability = durability
        self._resources = resources
        self._pragmas = pragmas or {}
        self._graph: Any = None
        self._runs = 0
        self.nodes = shape.graph_nodes

    def build(self) -> None:
        self._graph = build_graph(self._shape).compile(checkpointer=self._saver)

    async def prepare(self) -> TimedRun:
        self._runs += 1
        config: dict[str, Any] = {
            "recursion_limit": self.nodes + 10,
            "configurable": {"thread_id": f"bench-{self._runs}"},
        }
        start: dict[str, Any] = {"count": 0} if self._shape.kind == "chain" else {"marks": []}

        async def run() -> Outcome:
            state = await self._graph.ainvoke(start, config, durability=self._durability)
            done = state["count"] if self._shape.kind == "chain" else len(state["marks"])
            return Outcome(done)

        return run

    def details(self) -> dict[str, Any]:
        if self._saver is None:
            return {"checkpointer": None}
        return {
            "checkpointer": "AsyncSqliteSaver",
            "durability": self._durability,
            "sqlite_journal_mode": self._pragmas.get("journal_mode"),
            "sqlite_synchronous": sqlite_synchronous_name(self._pragmas.get("synchronous")),
        }

    async def close(self) -> None:
        if self._resources is not None:
            await self._resources.aclose()


async def _with_sqlite(shape: Shape, path: Path, durability: Durability) -> LangGraphSubject:
    """A subject whose checkpointer is an AsyncSqliteSaver on `path`, tables created."""
    # Imported here so that the process without a checkpointer does not load aiosqlite.
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    resources = AsyncExitStack()
    saver = await resources.enter_async_context(AsyncSqliteSaver.from_conn_string(str(path)))
    await saver.setup()
    pragmas: dict[str, Any] = {}
    for pragma in ("journal_mode", "synchronous"):
        async with saver.conn.execute(f"PRAGMA {pragma}") as cursor:
            row = await cursor.fetchone()
        pragmas[pragma] = row[0] if row else None
    return LangGraphSubject(
        shape, saver, durability=durability, resources=resources, pragmas=pragmas
    )


async def open_subject(system: str, shape: Shape, workdir: Path) -> LangGraphSubject:
    """The subject for `system`: "langgraph", "langgraph_sqlite" or "langgraph_sqlite_async"."""
    if system == "langgraph":
        return LangGraphSubject(shape)
    if system == "langgraph_sqlite":
        return await _with_sqlite(shape, workdir / "checkpoints.db", "sync")
    if system == "langgraph_sqlite_async":
        return await _with_sqlite(shape, workdir / "checkpoints.db", "async")
    raise ValueError(f"unknown system {system!r}")
