"""The durable floor: plain asyncio writing each node's result to SQLite before it returns.

What any engine that journals every node on this machine must at least spend: the
`asyncio` floor's tasks, plus, per node, one row in our `journal` table and one in our
`events` table (the same schema, indexes and pragmas as our store: WAL,
synchronous=NORMAL, foreign keys on), written with `executemany` on a raw `sqlite3`
connection and committed in one transaction per event-loop turn (group commit); a node
returns only once its commit is done. No engine, no lease check, no models, no
encoders: rows are made of ready strings. Our local runtime does all of this and more,
so the floor bounds from below what its fan-out and chain can reach.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.harness import Outcome, Shape, TimedRun

__all__ = ["open_subject"]

_JOURNAL = (
    "INSERT INTO journal (run_id, key, activity, ok, output, error_type, error, retryable,"
    " recorded_at, input, started_at) VALUES (?, ?, ?, 1, '{}', NULL, NULL, 0, ?, '{}', ?)"
)
_EVENT = (
    "INSERT INTO events (task_id, run_id, seq, type, time, payload, dedup_key)"
    " VALUES (?, ?, ?, 'node.completed', ?, ?, ?)"
)
_RUN = (
    "INSERT INTO runs (run_id, task_id, workflow, input, status, priority, starts, created_at,"
    " cancel_requested) VALUES (?, ?, 'bench.floor', '{}', 'running', 0, 1, ?, 0)"
)
_TASK_ID = "bench-floor"


class GroupCommit:
    """Rows queued by nodes, committed together at the loop's next turn."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        self._journal: list[tuple[str, ...]] = []
        self._events: list[tuple[Any, ...]] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._seq = 0

    async def record(self, run_id: str, key: str) -> None:
        """Queue the node's two rows; return once they are committed."""
        now = datetime.now(UTC).isoformat()
        self._seq += 1
        payload = json.dumps({"key": key})
        self._journal.append((run_id, key, "bench.node", now, now))
        self._events.append((_TASK_ID, run_id, self._seq, now, payload, f"{run_id}/{key}"))
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        if not self._waiters:
            loop.call_soon(self._commit)
        self._waiters.append(done)
        await done

    def _commit(self) -> None:
        journal, self._journal = self._journal, []
        events, self._events = self._events, []
        waiters, self._waiters = self._waiters, []
        self._connection.execute("BEGIN IMMEDIATE")
        self._connection.executemany(_JOURNAL, journal)
        self._connection.executemany(_EVENT, events)
        self._connection.execute("COMMIT")
        for done in waiters:
            done.set_result(None)


class DurableFloorSubject:
    """A gather of tasks (or a chain of awaits), each committing its rows before it returns."""

    def __init__(self, shape: Shape, workdir: Path) -> None:
        # The store makes the schema (imported here: only the set-up needs it).
        from intelligent_office.store import Store

        path = workdir / "floor.db"
        store = Store.open(f"sqlite:///{path}")
        store.tasks.create(task_id=_TASK_ID, user_id="bench", description=shape.name)
        store.close()
        self._connection = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            self._connection.execute(f"PRAGMA {pragma}")
        self._writer = GroupCommit(self._connection)
        self._shape = shape
        self._runs = 0
        self.nodes = shape.size

    def build(self) -> None:
        pass

    async def prepare(self) -> TimedRun:
        self._runs += 1
        run_id = f"floor-{self._runs}"
        self._connection.execute(_RUN, (run_id, _TASK_ID, datetime.now(UTC).isoformat()))
        size, latency, writer = self._shape.size, self._shape.latency_seconds, self._writer

        async def node(index: int) -> int:
            if latency:
                await asyncio.sleep(latency)
            await writer.record(run_id, f"node/n{index}/attempt/1")
            return 1

        async def fan_out() -> Outcome:
            done = await asyncio.gather(*(asyncio.create_task(node(i)) for i in range(size)))
            return Outcome(sum(done))

        async def chain() -> Outcome:
            done = 0
            for index in range(size):
                done += await node(index)
            return Outcome(done)

        return fan_out if self._shape.kind == "fanout" else chain

    def details(self) -> dict[str, Any]:
        return {
            "form": "gather of tasks" if self._shape.kind == "fanout" else "awaited coroutines",
            "rows_per_node": "one journal row, one event row (our schema), group commit per turn",
            "sqlite_journal_mode": "wal",
            "sqlite_synchronous": "NORMAL",
        }

    async def close(self) -> None:
        self._connection.close()


async def open_subject(system: str, shape: Shape, workdir: Path) -> DurableFloorSubject:
    """The durable-floor subject."""
    if system != "durable_floor":
        raise ValueError(f"unknown system {system!r}")
    return DurableFloorSubject(shape, workdir)
