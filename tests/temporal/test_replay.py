"""The determinism guard: recorded Office histories replay on today's workflow code, and a
workflow that issues other commands does not (so the guard can fail)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.workflow import NondeterminismError

from intelligent_office.front_door import Office
from intelligent_office.office import OFFICE_WORKFLOW, OfficeInput
from intelligent_office.runtime.temporal import (
    RunOptions,
    TemporalSubmitter,
    WorkerOptions,
    build_worker,
    connect,
)
from intelligent_office.runtime.temporal.messages import ActivityCall, TemporalRunInput
from intelligent_office.settings import load_settings
from intelligent_office.store import Store
from intelligent_office.task_input import new_task
from tests.temporal.replay import HISTORIES, replay, replay_and_maybe_record

pytestmark = pytest.mark.temporal

TRACE = "Trace the call sequence from main() to process_data() in examples/sample_app"

RECORDED = sorted(HISTORIES.glob("*.json"))


def load(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(path.stem, path.read_text())


def test_there_are_recorded_histories_to_replay() -> None:
    assert {path.stem for path in RECORDED} >= {"trace", "approval"}


@pytest.mark.parametrize("path", RECORDED, ids=[path.stem for path in RECORDED])
async def test_a_recorded_office_history_replays(path: Path) -> None:
    await replay(load(path))


@workflow.defn(name=OFFICE_WORKFLOW, sandboxed=False)
class DecomposesFirst:
    """The Office as it would be if someone dropped the steps before decomposing."""

    @workflow.run
    async def run(self, run: TemporalRunInput) -> None:
        call = ActivityCall(run_id=run.run_id, task_id="t", key="temporal/tools")
        for name, key in (
            ("office.temporal.tool_flags", call.key),
            ("office.decompose", "decompose/attempt/1"),
        ):
            await workflow.execute_activity(
                name, call, activity_id=key, start_to_close_timeout=timedelta(seconds=5)
            )


async def test_a_fresh_trace_run_replays(
    temporal_server: str, workspace: Path, tmp_path: Path
) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'office.db'}")
    service = Office(load_settings(None, home=tmp_path / "home"), store)
    client = await connect(temporal_server, store=store)
    queue = f"replay-{tmp_path.name}"
    async with build_worker(client, service.activities(), store, WorkerOptions(task_queue=queue)):
        submitter = TemporalSubmitter(client, store, RunOptions(task_queue=queue))
        task = new_task(TRACE, workspace=workspace)
        store.tasks.create(
            task_id=task.task_id,
            user_id="tests",
            description=TRACE,
            body=task.model_dump(mode="json"),
        )
        run = await submitter.submit(OfficeInput(task=task))
        await client.get_workflow_handle(run.run_id).result()
    history = await replay_and_maybe_record(client, run.run_id, "trace")
    store.close()
    assert len(history.events) > 30  # a whole Office run: every activity and event batch


async def test_a_workflow_that_issues_other_commands_fails_the_replay() -> None:
    with pytest.raises(NondeterminismError):
        await replay(load(HISTORIES / "trace.json"), DecomposesFirst)
