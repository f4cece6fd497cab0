"""Forking on Temporal: a new workflow seeded with the original's recorded steps.

Temporal's history is a run's journal there; each activity's outcome is also copied to
the SQL journal, which lists the steps and seeds the fork. The fork is started as a new
workflow whose input carries the copied steps: they are answered without a call (the
tool's own counter proves it) and the edited step runs with its new input.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client

from intelligent_office.front_door import Office
from intelligent_office.office import OfficeOutput, TaskStatus
from intelligent_office.run_forks import ForkRequest, fork_run, run_steps
from intelligent_office.settings import load_settings
from intelligent_office.store import RunStatus, Store
from intelligent_office.task_input import new_task
from intelligent_office.tools.base import Tool, ToolContext
from tests.temporal.workers import finished

pytestmark = [pytest.mark.temporal, pytest.mark.timeout(90)]


@pytest.fixture
def calls() -> Counter[str]:
    return Counter()


@pytest.fixture
def service(store: Store, tmp_path: Path, calls: Counter[str]) -> Office:
    service = Office(load_settings(None, home=tmp_path / "home"), store)
    real = service.tools.get("calculate")

    def counted(context: ToolContext, **arguments: Any) -> Any:
        calls[str(arguments["expression"])] += 1
        return real.fn(context, **arguments)

    service.tools.unregister("calculate")
    service.tools.register(Tool(spec=real.spec, arguments_model=real.arguments_model, fn=counted))
    return service


async def test_a_temporal_run_forked_at_its_second_tool_call_replays_the_first(
    client: Client, service: Office, store: Store, tmp_path: Path, calls: Counter[str]
) -> None:
    task = new_task("calculate 2+3 and then calculate 4*5", workspace=tmp_path)
    _, run = service.submit(service.worker(), task)  # queued; the bridge starts it
    original = await finished(store, run.run_id, within=60)
    assert original.status is RunStatus.COMPLETED, original.error
    assert calls == Counter({"2+3": 1, "4*5": 1})
    steps = [s.key for s in run_steps(store, run.run_id) if s.activity == "office.run_step"]
    assert len(steps) == 2, run_steps(store, run.run_id)

    fork = fork_run(
        store,
        None,
        ForkRequest(run_id=run.run_id, at=steps[1], input_patch={"inputs": {"expression": "6*7"}}),
    )
    done = await finished(store, fork.run.run_id, within=60)

    assert done.status is RunStatus.COMPLETED, done.error
    output = OfficeOutput.model_validate(done.result)
    assert output.status is TaskStatus.COMPLETED and "6*7 = 42" in output.answer
    assert calls == Counter({"2+3": 1, "4*5": 1, "6*7": 1}), "the first call is replayed"
    history = [e async for e in client.get_workflow_handle(fork.run.run_id).fetch_history_events()]
    scheduled = [
        e.activity_task_scheduled_event_attributes.activity_id
        for e in history
        if e.HasField("activity_task_scheduled_event_attributes")
    ]
    assert not any(key.startswith("subtask/s1/") for key in scheduled), scheduled
