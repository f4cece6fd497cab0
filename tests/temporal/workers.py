"""A Temporal worker serving one test's task queue in this process, and waits on the store.

Shared by the Temporal tests: the worker (and its bridge to the store) runs as an asyncio
task beside the test; the waits poll the SQL store, which stays the interface.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from temporalio.client import Client

from intelligent_office.front_door import Office
from intelligent_office.runtime.temporal import RunOptions, WorkerOptions, serve_worker
from intelligent_office.store import ApprovalRecord, RunRecord, Store


def start_worker(
    client: Client, service: Office, store: Store, queue: str
) -> tuple[asyncio.Task[None], asyncio.Event]:
    """A worker (and its bridge) serving `queue` until the event is set."""
    stop = asyncio.Event()
    serving = asyncio.create_task(
        serve_worker(
            client,
            service.activities(),
            store,
            WorkerOptions(task_queue=queue),
            stop,
            run_options=RunOptions(task_queue=queue),
        )
    )
    return serving, stop


@asynccontextmanager
async def worker_serving(
    client: Client, service: Office, store: Store, queue: str
) -> AsyncIterator[None]:
    """A worker serving `queue` while the block runs; stopped (and awaited) after it."""
    serving, stop = start_worker(client, service, store, queue)
    try:
        yield
    finally:
        stop.set()
        await serving


async def finished(store: Store, run_id: str, within: float = 30.0) -> RunRecord:
    """The run once it has finished (any final status)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        run = store.runs.require(run_id)
        if run.status.finished:
            return run
        await asyncio.sleep(0.05)
    raise AssertionError("the run did not finish")


async def pending_approval(
    store: Store,
    task_id: str,
    kind: Callable[[ApprovalRecord], bool] = lambda approval: True,
    within: float = 30.0,
) -> ApprovalRecord:
    """The task's first approval that `kind` accepts, once it was requested."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = [a for a in store.approvals.list(task_id=task_id) if kind(a)]
        if found:
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError("no approval was requested")
