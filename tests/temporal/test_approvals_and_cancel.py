"""On Temporal, the store stays the interface: an approval decided with the service (as
`office approve` and the API do) reaches the waiting workflow as a signal, a cancel
request flagged on the run cancels the workflow, and the progress query says what the
run waits for. A worker in this process runs the tasks; its bridge carries the rest."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowExecutionStatus

from intelligent_office.front_door import Office
from intelligent_office.llm.scripted import ScriptedBrain
from intelligent_office.office import OfficeOutput, TaskStatus
from intelligent_office.runtime.temporal.messages import RunProgress
from intelligent_office.runtime.temporal.workflow import PROGRESS_QUERY
from intelligent_office.settings import load_settings
from intelligent_office.store import RunStatus, Store, approval_signal
from intelligent_office.task_input import new_task
from tests.office.test_tool_approvals import approve_all, writer
from tests.temporal.replay import replay_and_maybe_record
from tests.temporal.workers import finished, pending_approval

pytestmark = [pytest.mark.temporal, pytest.mark.timeout(60)]


@pytest.fixture
def service(store: Store, tmp_path: Path) -> Office:
    brain = ScriptedBrain(planner=writer, reviewer=approve_all)
    return Office(load_settings(None, home=tmp_path / "home"), store, brain=brain)


async def test_an_approval_decided_in_the_store_reaches_the_waiting_workflow(
    client: Client, service: Office, store: Store, tmp_path: Path
) -> None:
    task = new_task("Write the report", workspace=tmp_path)
    _, run = service.submit(service.worker(), task)  # queued in the store, as the API does

    approval = await pending_approval(store, task.task_id)
    handle = client.get_workflow_handle(run.run_id)
    deadline = time.monotonic() + 10  # it stores its events, then waits
    while (progress := await handle.query(PROGRESS_QUERY, result_type=RunProgress)).state != (
        "waiting"
    ):
        assert time.monotonic() < deadline, progress
        await asyncio.sleep(0.05)
    assert progress.waiting_for == [approval_signal(approval.id)]
    assert not (tmp_path / "report.md").exists()  # nothing ran before the decision

    service.decide_approval(approval.id, "approved", by="alice", comment="fine")
    done = await finished(store, run.run_id)

    assert done.status is RunStatus.COMPLETED, done.error
    output = OfficeOutput.model_validate(done.result)
    assert output.status is TaskStatus.COMPLETED and output.answer == "wrote report.md"
    assert (tmp_path / "report.md").read_text() == "hello"
    types = [event.type for event in store.events.read(task.task_id)]
    assert types.index("approval.requested") < types.index("approval.decided")
    progress = await handle.query(PROGRESS_QUERY, result_type=RunProgress)
    assert progress.state == "finished" and progress.activities_running == []
    await handle.result()
    await replay_and_maybe_record(client, run.run_id, "approval")  # a signal and timers too


async def test_a_cancel_request_in_the_store_cancels_the_workflow(
    client: Client, service: Office, store: Store, tmp_path: Path
) -> None:
    task = new_task("Write the report", workspace=tmp_path)
    _, run = service.submit(service.worker(), task)
    approval = await pending_approval(store, task.task_id)

    assert store.runs.request_cancel(run.run_id)  # what `cancel` on the API does
    done = await finished(store, run.run_id)

    assert done.status is RunStatus.CANCELLED
    record = store.tasks.get(task.task_id)
    assert record is not None and record.status == "cancelled"
    assert store.approvals.require(approval.id).status == "expired"
    assert "task.cancelled" in [event.type for event in store.events.read(task.task_id)]
    handle = client.get_workflow_handle(run.run_id)
    deadline = time.monotonic() + 10  # the workflow closes just after recording the run
    while (await handle.describe()).status is WorkflowExecutionStatus.RUNNING:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    assert (await handle.describe()).status is WorkflowExecutionStatus.CANCELED
    assert not (tmp_path / "report.md").exists()
