"""A fan-out on the local runtime: siblings finishing together share commits, every
sibling's result is committed before the node after them runs, and a lost lease loses
nothing committed before it (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import func, select

from intelligent_office.engine import Graph, Node, run_graph
from intelligent_office.errors import LeaseLost
from intelligent_office.runtime import (
    Empty,
    LocalWorker,
    Runtime,
    WorkflowRegistry,
    activity,
    workflow_def,
)
from intelligent_office.runtime.journal_writer import JournalWriter
from intelligent_office.store import JournalEntry, RunStatus, Store
from intelligent_office.store.schema import journal_table
from tests.runtime.test_local_runtime import new_task

SIBLINGS = 60


class RunRef(BaseModel):
    run_id: str


class Seen(BaseModel):
    committed: int


@activity("test.fanout.pause")
async def pause(value: Empty) -> Empty:
    await asyncio.sleep(0.02)
    return Empty()


def fanout_registry(store: Store) -> WorkflowRegistry:
    """source -> SIBLINGS pausing nodes -> a sink that counts their committed results."""

    @activity("test.fanout.count")
    async def count_committed(value: RunRef) -> Seen:
        # A fresh connection sees only what is committed.
        journal = await asyncio.to_thread(store.journal.load, value.run_id)
        siblings = [key for key in journal if key.startswith("node/n")]
        return Seen(committed=len(siblings))

    @workflow_def("test.fanout")
    async def fanout(runtime: Runtime, value: Empty) -> Seen:
        middle = [f"n{index}" for index in range(SIBLINGS)]
        graph = Graph(
            [
                Node(id="source", activity=pause),
                *(Node(id=node, activity=pause, dependencies=("source",)) for node in middle),
                Node(
                    id="sink",
                    activity=count_committed,
                    input=RunRef(run_id=runtime.run_id),
                    dependencies=tuple(middle),
                ),
            ]
        )
        result = await run_graph(graph, runtime, max_parallel=SIBLINGS)
        seen = result.nodes["sink"].output
        assert isinstance(seen, Seen)
        return seen

    return WorkflowRegistry([fanout])


async def test_every_siblings_result_is_committed_before_the_node_after_them(
    store: Store,
) -> None:
    worker = LocalWorker(store, fanout_registry(store))
    run = worker.submit("test.fanout", Empty(), task_id=new_task(store))
    done = await worker.run(run.run_id)
    assert done.status is RunStatus.COMPLETED
    assert done.result == {"committed": SIBLINGS}
    events = store.events.read(done.task_id, run_id=run.run_id, limit=10_000)
    assert [event.seq for event in events] == sorted(event.seq for event in events)
    kinds = [event.type for event in events]
    assert kinds.count("node.started") == kinds.count("node.completed") == SIBLINGS + 2


async def test_siblings_finishing_together_share_commits_while_others_run(
    store: Store,
) -> None:
    store.tasks.create(task_id="t", user_id="u", description="d")
    store.runs.create(run_id="r", task_id="t", workflow="w", input={})
    assert store.runs.claim("r", "me", 30)
    writer = JournalWriter(store)
    durable: list[bool] = []

    async def step(index: int) -> None:
        entry = JournalEntry(key=f"k{index}", activity="a", ok=True, output={"i": index})
        await writer.record("r", "me", 30.0, entry)
        durable.append(f"k{index}" in store.journal.load("r"))

    try:
        writer.activity_started()  # another activity of the worker is still running
        await asyncio.gather(*(step(index) for index in range(SIBLINGS)))
        writer.activity_ended()
        assert durable == [True] * SIBLINGS
        with store.engine.connect() as connection:
            recorded_at = func.distinct(journal_table.c.recorded_at)
            stamps = connection.scalar(select(func.count(recorded_at)))
        assert stamps == 1  # one transaction: every row carries its commit's time
    finally:
        await writer.flush()
        writer.close()


async def test_a_lost_lease_loses_none_of_what_was_committed_before_it(store: Store) -> None:
    store.tasks.create(task_id="t", user_id="u", description="d")
    store.runs.create(run_id="r", task_id="t", workflow="w", input={})
    assert store.runs.claim("r", "me", 30)
    writer = JournalWriter(store)

    async def step(index: int) -> None:
        entry = JournalEntry(
            key=f"k{index}", activity="a", ok=True, output={}, started_at=datetime.now(UTC)
        )
        await writer.record("r", "me", 30.0, entry)

    try:
        await asyncio.gather(*(step(index) for index in range(SIBLINGS)))
        store.runs.release("r", "me")
        assert store.runs.claim("r", "other", 30)  # another worker holds it now
        outcomes = await asyncio.gather(
            *(step(index) for index in range(SIBLINGS, 2 * SIBLINGS)), return_exceptions=True
        )
        assert all(isinstance(outcome, LeaseLost) for outcome in outcomes)
        assert set(store.journal.load("r")) == {f"k{index}" for index in range(SIBLINGS)}
    finally:
        writer.close()
