"""On Temporal, a reviewer's ESCALATE waits for a person across a worker restart: the
worker stops while the escalation is pending, the person answers (a revision with
feedback) while no worker runs, a new worker picks the workflow up, and the feedback
reaches the next plan, which the reviewer approves."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from intelligent_office.front_door import Office
from intelligent_office.llm.scripted import ScriptedBrain
from intelligent_office.office import OfficeOutput, TaskStatus
from intelligent_office.runtime.temporal import connect
from intelligent_office.settings import load_settings
from intelligent_office.store import RunStatus, Store
from intelligent_office.task_input import new_task
from tests.office.test_signoff_escalation import escalating, saver
from tests.temporal.workers import finished, pending_approval, start_worker

pytestmark = [pytest.mark.temporal, pytest.mark.timeout(90)]


async def test_an_escalation_is_answered_across_a_worker_restart(
    temporal_server: str, tmp_path: Path
) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'office.db'}")
    brain = ScriptedBrain(planner=saver, reviewer=escalating)
    service = Office(load_settings(None, home=tmp_path / "home"), store, brain=brain)
    client = await connect(temporal_server, store=store)
    queue = f"escalations-{tmp_path.name}"
    try:
        serving, stop = start_worker(client, service, store, queue)
        task = new_task("Save a note", workspace=tmp_path)
        _, run = service.submit(service.worker(), task)  # queued in the store, as the API does
        escalation = await pending_approval(store, task.task_id, lambda a: a.kind == "escalation")
        assert escalation.detail["question"] == "is this the right file?"
        assert escalation.run_id == run.run_id

        stop.set()  # the worker goes away while the workflow waits for the person
        await serving
        service.decide_approval(escalation.id, "revised", by="ann", comment="name it b")
        await asyncio.sleep(0.5)
        assert not store.runs.require(run.run_id).status.finished  # nobody to carry it on

        serving, stop = start_worker(client, service, store, queue)  # a new worker
        done = await finished(store, run.run_id)
        stop.set()
        await serving
    finally:
        store.close()

    assert done.status is RunStatus.COMPLETED, done.error
    output = OfficeOutput.model_validate(done.result)
    assert output.status is TaskStatus.COMPLETED
    assert len(output.subtasks["s1"].iterations) == 2
    assert len(brain.plan_requests) == 2  # the first plan was not made again after the restart
    assert any(
        "a person asked for a revision: name it b" in line
        for line in brain.plan_requests[1].feedback
    )
