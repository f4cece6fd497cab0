"""Two `office worker --runtime temporal` processes on one task queue share the work.

Twenty tasks are queued in the SQL store (as the API queues them); the workers' bridges
start them on Temporal, and each task's history names the worker that ran each of its
activities: both workers ran some, and every task completed.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from intelligent_office.front_door import Office
from intelligent_office.office import OfficeOutput
from intelligent_office.runtime.temporal import connect
from intelligent_office.settings import load_settings
from intelligent_office.store import RunStatus, Store
from intelligent_office.task_input import new_task

pytestmark = [pytest.mark.temporal, pytest.mark.timeout(120)]

TASKS = 20


async def pollers(client: Client, queue: str) -> set[str]:
    """Identities of the workers polling the queue for activities."""
    request = DescribeTaskQueueRequest(
        namespace="default",
        task_queue=TaskQueue(name=queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    )
    response = await client.workflow_service.describe_task_queue(request)
    return {poller.identity for poller in response.pollers}


async def activity_workers(client: Client, run_id: str) -> list[str]:
    """The identity of the worker that ran each activity of a workflow."""
    history = await client.get_workflow_handle(run_id).fetch_history()
    return [
        event.activity_task_started_event_attributes.identity
        for event in history.events
        if event.HasField("activity_task_started_event_attributes")
    ]


async def test_two_workers_on_one_task_queue_share_twenty_tasks(
    temporal_server: str, store: Store, tmp_path: Path
) -> None:
    queue = f"shared-{tmp_path.name}"
    env = {
        **os.environ,
        "OFFICE_DATABASE_URL": f"sqlite:///{tmp_path / 'office.db'}",
        "OFFICE_HOME": str(tmp_path / "home"),
    }
    command = [sys.executable, "-m", "intelligent_office.cli", "worker", "--runtime", "temporal"]
    command += ["--address", temporal_server, "--task-queue", queue]
    workers = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(2)
    ]
    client = await connect(temporal_server, store=store)
    try:
        deadline = time.monotonic() + 60
        while len(await pollers(client, queue)) < 2:
            assert all(worker.poll() is None for worker in workers), "a worker exited"
            assert time.monotonic() < deadline, "the two workers never both polled"
            await asyncio.sleep(0.1)

        service = Office(load_settings(None, home=tmp_path / "home"), store)
        submitted = [
            service.submit(service.worker(), new_task(f"Calculate {n} + 1", workspace=tmp_path))
            for n in range(TASKS)
        ]
        run_ids = [run.run_id for _, run in submitted]
        while not all(store.runs.require(run_id).status.finished for run_id in run_ids):
            assert time.monotonic() < deadline + 30, "the tasks did not all finish"
            await asyncio.sleep(0.1)
        by_worker: Counter[str] = Counter()
        for run_id in run_ids:
            by_worker.update(await activity_workers(client, run_id))
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=15)

    assert all(worker.returncode == 0 for worker in workers)  # SIGTERM stops them cleanly
    for n, run_id in enumerate(run_ids):
        run = store.runs.require(run_id)
        assert run.status is RunStatus.COMPLETED, run.error
        assert OfficeOutput.model_validate(run.result).answer == f"{n} + 1 = {n + 1}"
    assert len(by_worker) == 2, by_worker  # both workers ran activities
    assert sum(by_worker.values()) >= TASKS * 10
    assert min(by_worker.values()) >= TASKS, by_worker  # and neither just a token few
