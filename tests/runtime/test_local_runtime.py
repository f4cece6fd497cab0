"""The local runtime on SQLite and PostgreSQL: journal and replay, signals, sleeps,
queue priorities, leases, events."""

from __future__ import annotations

import asyncio
import time

import pytest
import sqlalchemy as sa

from intelligent_office.errors import UserError
from intelligent_office.runtime import LocalWorker
from intelligent_office.store import RunStatus, Store
from tests.runtime.workflows import CALLS, Nap, SignalWait, Steps, registry


def new_task(store: Store, name: str = "t") -> str:
    task, _ = store.tasks.create(task_id=f"{name}-task", user_id="u", description=name)
    return task.task_id


def worker(store: Store, **options: float) -> LocalWorker:
    return LocalWorker(store, registry(), **options)  # type: ignore[arg-type]


async def test_completed_activities_are_replayed_not_rerun(store: Store) -> None:
    runner = worker(store)
    run = runner.submit("test.steps", Steps(count=4), task_id=new_task(store))
    first = await runner.run(run.run_id)
    assert first.status is RunStatus.COMPLETED
    assert first.result == {"labels": [f"{run.run_id}:{i}" for i in range(4)]}
    assert set(store.journal.load(run.run_id)) == {f"step/{i}" for i in range(4)}

    store.runs.requeue(run.run_id)
    again = await worker(store).run(run.run_id)
    assert again.result == first.result
    assert all(CALLS[f"{run.run_id}:{i}"] == 1 for i in range(4))


async def test_final_error_is_journaled_and_replayed(store: Store) -> None:
    runner = worker(store)
    run = runner.submit("test.steps", Steps(count=3, fail_at=1), task_id=new_task(store))
    failed = await runner.run(run.run_id)
    assert failed.status is RunStatus.FAILED
    assert failed.error is not None and "cannot be done" in failed.error
    entry = store.journal.load(run.run_id)["step/1"]
    assert (entry.ok, entry.error_type, entry.retryable) == (False, "PermanentError", False)

    store.runs.requeue(run.run_id)
    await worker(store).run(run.run_id)
    assert CALLS[f"{run.run_id}:1"] == 1  # the failure was replayed, not run again
    assert CALLS[f"{run.run_id}:2"] == 0


async def test_signal_wakes_a_waiting_run(store: Store) -> None:
    runner = worker(store)
    run = runner.submit("test.wait_signal", SignalWait(), task_id=new_task(store))
    running = asyncio.create_task(runner.run(run.run_id))
    await asyncio.sleep(0.2)
    assert not running.done()
    assert runner.send_signal(run.run_id, "approval", "approved by ann")
    assert not runner.send_signal(run.run_id, "approval", "second one loses")
    done = await asyncio.wait_for(running, 5)
    assert done.result == {"labels": ["approved by ann"]}


async def test_signal_sent_while_no_worker_runs_is_seen_after_restart(store: Store) -> None:
    first = worker(store)
    run = first.submit("test.wait_signal", SignalWait(), task_id=new_task(store))
    running = asyncio.create_task(first.run(run.run_id))
    await asyncio.sleep(0.2)
    await first.shutdown()
    await asyncio.gather(running, return_exceptions=True)
    assert store.runs.get(run.run_id).status is RunStatus.RUNNING  # type: ignore[union-attr]

    store.signals.send(run.run_id, "approval", "approved offline")
    done = await asyncio.wait_for(worker(store).run(run.run_id), 5)
    assert done.result == {"labels": ["approved offline"]}
    assert CALLS[f"{run.run_id}:before"] == 1


async def test_signal_timeout_is_durable(store: Store) -> None:
    runner = worker(store)
    run = runner.submit("test.wait_signal", SignalWait(timeout=0.3), task_id=new_task(store))
    done = await asyncio.wait_for(runner.run(run.run_id), 5)
    assert done.result == {"labels": ["timeout"]}
    # A signal arriving after the timeout does not change the replayed outcome.
    store.signals.send(run.run_id, "approval", "too late")
    store.runs.requeue(run.run_id)
    again = await worker(store).run(run.run_id)
    assert again.result == {"labels": ["timeout"]}


async def test_durable_sleep_sleeps_only_what_is_left_after_restart(store: Store) -> None:
    first = worker(store)
    run = first.submit("test.sleep", Nap(seconds=1.0), task_id=new_task(store))
    running = asyncio.create_task(first.run(run.run_id))
    await asyncio.sleep(0.6)
    await first.shutdown()
    await asyncio.gather(running, return_exceptions=True)

    started = time.monotonic()
    done = await worker(store).run(run.run_id)
    assert time.monotonic() - started < 0.8
    assert done.status is RunStatus.COMPLETED
    stamp, uid = done.result["labels"]  # type: ignore[index]
    store.runs.requeue(run.run_id)
    again = await worker(store).run(run.run_id)
    assert again.result == {"labels": [stamp, uid]}  # now() and uuid() replay identically


async def test_queue_runs_highest_priority_first_within_the_bound(store: Store) -> None:
    runner = worker(store, max_concurrent_runs=1)
    task_id = new_task(store)
    submitted = {
        priority: runner.submit("test.steps", Steps(count=1), task_id=task_id, priority=priority)
        for priority in (2, 9, 5)
    }
    await runner.run_until_idle()
    started = [e.run_id for e in store.events.read(task_id) if e.type == "run.started"]
    assert started == [submitted[p].run_id for p in (9, 5, 2)]


async def test_two_workers_never_run_the_same_run(store: Store) -> None:
    task_id = new_task(store)
    first, second = worker(store, max_concurrent_runs=3), worker(store, max_concurrent_runs=3)
    runs = [
        first.submit("test.steps", Steps(count=2, delay=0.01), task_id=task_id) for _ in range(8)
    ]
    await asyncio.gather(first.run_until_idle(), second.run_until_idle())
    for run in runs:
        assert store.runs.get(run.run_id).status is RunStatus.COMPLETED  # type: ignore[union-attr]
        assert [CALLS[f"{run.run_id}:{i}"] for i in range(2)] == [1, 1]
    owners = {e.run_id for e in store.events.read(task_id) if e.type == "run.started"}
    assert owners == {run.run_id for run in runs}


async def test_a_worker_that_lost_its_lease_records_nothing_more(store: Store) -> None:
    runner = worker(store)
    run = runner.submit("test.steps", Steps(count=5, delay=0.1), task_id=new_task(store))
    running = asyncio.create_task(runner.run(run.run_id))
    await asyncio.sleep(0.15)
    with store.engine.begin() as connection:  # another worker takes the run over
        connection.execute(
            sa.text("UPDATE runs SET lease_owner = 'elsewhere:1:x' WHERE run_id = :run_id"),
            {"run_id": run.run_id},
        )
    await asyncio.wait_for(running, 5)
    recorded = store.journal.load(run.run_id)
    assert len(recorded) < 5
    assert store.runs.get(run.run_id).lease_owner == "elsewhere:1:x"  # type: ignore[union-attr]


async def test_events_have_strictly_increasing_sequence_numbers(store: Store) -> None:
    runner = worker(store)
    task_id = new_task(store)
    for _ in range(3):
        runner.submit("test.steps", Steps(count=2), task_id=task_id)
    await runner.run_until_idle()
    seqs = [event.seq for event in store.events.read(task_id)]
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) == 6  # started + completed per run
    assert [e.seq for e in store.events.read(task_id, after_seq=4)] == [5, 6]


async def test_unknown_workflow_and_run_are_clear_errors(store: Store) -> None:
    runner = worker(store)
    with pytest.raises(UserError, match="unknown workflow 'nope'"):
        runner.submit("nope", Steps(), task_id=new_task(store))
    with pytest.raises(UserError, match="no run 'missing'"):
        await runner.run("missing")
