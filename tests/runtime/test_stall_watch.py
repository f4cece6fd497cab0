"""The local worker's stall watch: an activity with no progress past its limit is abandoned."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel

from intelligent_office.errors import ActivityError
from intelligent_office.runtime import (
    LocalWorker,
    Runtime,
    WorkflowRegistry,
    activity,
    workflow_def,
)
from intelligent_office.store import RunStatus, Store


class Hang(BaseModel):
    seconds: float
    timeout: float | None = None
    events: int = 0


class Outcome(BaseModel):
    error_type: str = ""
    detail: str = ""


@activity("test.stubborn")
async def stubborn(value: Hang) -> Outcome:
    """Sleeps and ignores cancellation (its own timeout included)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + value.seconds
    while loop.time() < deadline:
        try:
            await asyncio.sleep(deadline - loop.time())
        except asyncio.CancelledError:
            continue
    return Outcome()


@workflow_def("test.hang")
async def hang_once(runtime: Runtime, value: Hang) -> Outcome:
    for index in range(value.events):  # progress before the call, visible as events
        await runtime.emit("test.tick", {"n": index}, key=f"tick/{index}")
    try:
        return await runtime.activity("hang", stubborn, value, timeout_seconds=value.timeout)
    except ActivityError as error:
        return Outcome(error_type=error.error_type, detail=error.detail)


def worker(store: Store, grace: float | None, default: float = 30.0) -> LocalWorker:
    return LocalWorker(
        store,
        WorkflowRegistry([hang_once]),
        stall_grace_seconds=grace,
        stall_default_timeout_seconds=default,
    )


def submit(store: Store, runner: LocalWorker, value: Hang, name: str) -> str:
    task, _ = store.tasks.create(task_id=f"{name}-task", user_id="u", description=name)
    return runner.submit("test.hang", value, task_id=task.task_id).run_id


async def test_an_activity_hanging_past_its_timeout_and_grace_is_abandoned(store: Store) -> None:
    runner = worker(store, grace=0.2)
    run_id = submit(store, runner, Hang(seconds=2, timeout=0.1), "stuck")
    started = asyncio.get_running_loop().time()
    finished = await asyncio.wait_for(runner.run(run_id), 10)
    took = asyncio.get_running_loop().time() - started
    assert finished.status is RunStatus.COMPLETED
    assert finished.result is not None and finished.result["error_type"] == "Stalled"
    assert "more than its limit of 0.3 s (timeout plus grace): cancelled" in str(
        finished.result["detail"]
    )
    assert took < 1.5  # not the two seconds the activity would have held the run
    (stalled,) = [e for e in store.events.read("stuck-task") if e.type == "run.stalled"]
    assert stalled.payload["key"] == "hang" and stalled.payload["activity"] == "test.stubborn"
    entry = store.journal.load(run_id)["hang"]
    assert entry.ok is False and entry.error_type == "Stalled" and entry.retryable is True


async def test_an_activity_without_a_timeout_gets_the_default_one(store: Store) -> None:
    runner = worker(store, grace=0.1, default=0.2)
    run_id = submit(store, runner, Hang(seconds=2), "no-timeout")
    finished = await asyncio.wait_for(runner.run(run_id), 10)
    assert finished.result is not None and finished.result["error_type"] == "Stalled"


async def test_an_activity_that_finishes_in_time_is_left_alone(store: Store) -> None:
    runner = worker(store, grace=0.5)
    run_id = submit(store, runner, Hang(seconds=0.2, timeout=1.0), "quick")
    finished = await asyncio.wait_for(runner.run(run_id), 10)
    assert finished.result == {"error_type": "", "detail": ""}
    assert not [e for e in store.events.read("quick-task") if e.type == "run.stalled"]


async def test_without_a_grace_setting_nothing_is_watched(store: Store) -> None:
    runner = worker(store, grace=None)
    run_id = submit(store, runner, Hang(seconds=1.0, timeout=0.1), "unwatched")
    finished = await asyncio.wait_for(runner.run(run_id), 10)
    assert finished.result == {"error_type": "", "detail": ""}  # it ran its full second
