"""An agent workflow run on Temporal is stored by the worker as on the local runtime: a
task of kind `agents` owned by whoever started it, a run row, each agent call in the SQL
journal and the run's events; `office runs`, `office show` and `GET /runs` list it, to
its owner only."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart
from pydantic_ai.models.function import AgentInfo, FunctionModel
from temporalio.client import WorkflowFailureError

from intelligent_office import Office, Workflow
from intelligent_office.agentkit import PydanticAIModel, RunStatus, WorkflowRunner
from intelligent_office.agentkit.temporal import worker_parts
from intelligent_office.llm.scripted import ScriptedBrain
from intelligent_office.runtime.temporal import WorkerOptions, build_worker, connect
from intelligent_office.runtime.temporal.bridge import RunBridge
from intelligent_office.runtime.temporal.client import TemporalSubmitter
from intelligent_office.settings import Settings, load_settings
from intelligent_office.store import RunStatus as StoredStatus
from intelligent_office.store import Store
from tests.agentkit.scripted import ScriptedModel, launch_note
from tests.api.conftest import running
from tests.office.test_tool_approvals import approve_all, writer

pytestmark = [pytest.mark.temporal, pytest.mark.timeout(90)]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(None, home=tmp_path / "home")


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = Store.open(settings.resolved_database_url)
    yield opened
    opened.close()


def team() -> Workflow:
    return launch_note()


def broken_team() -> Workflow:
    """The writer's model fails: the run ends failed, with agent.failed stored."""
    return launch_note("explode", name="broken-note")


def model() -> ScriptedModel:
    def script(system: str, user: str) -> str:
        if system == "explode":
            raise RuntimeError("the model is down")
        return f"{system} done"

    return ScriptedModel(script)


async def test_an_agent_run_on_temporal_is_stored_by_the_worker_and_listed(
    temporal_server: str, settings: Settings, store: Store, tmp_path: Path
) -> None:
    office = Office(settings, store, brain=ScriptedBrain(planner=writer, reviewer=approve_all))
    client = await connect(temporal_server, store=store)
    queue = f"stored-agents-{tmp_path.name}"
    # The worker's Office answers the agents and stores the runs in the worker's database.
    workflows, activities = worker_parts(WorkflowRunner(model().model()), store)
    worker = build_worker(
        client,
        office.activities(),
        store,
        WorkerOptions(task_queue=queue, bridge=False),
        workflows=workflows,
        activities=activities,
    )
    # The caller's own store (a throwaway one) is not where the run is: the worker's is.
    caller = Office(model=model().model(), user_id="alice")
    async with worker:
        run = await caller.run_workflow(team(), temporal=client, task_queue=queue)
        broken = await caller.run_workflow(broken_team(), temporal=client, task_queue=queue)
    assert run.status is RunStatus.COMPLETED and run.output == "write done", run.failure

    stored = store.runs.require(run.id)
    assert stored.workflow == "agentkit.workflow" and stored.status is StoredStatus.COMPLETED
    assert stored.lease_owner is None and stored.result is not None
    assert stored.result["output"] == "write done"
    task = store.tasks.get(stored.task_id)
    assert task is not None and task.user_id == "alice" and task.status == "completed"
    assert task.description == "agent workflow launch-note: Write the launch note."
    events = store.events.read(task.task_id)
    types = [(e.type, e.payload.get("agent")) for e in events]
    assert types[0] == ("run.started", None) and types[-1] == ("run.completed", None)
    assert [t for t in types if t[0].startswith(("agent.", "workflow."))] == [
        ("workflow.started", None),
        ("agent.started", "research"),
        ("agent.finished", "research"),
        ("agent.started", "write"),
        ("agent.finished", "write"),
        ("workflow.completed", None),
    ]
    started = next(e for e in events if e.type == "workflow.started").payload
    assert started["pattern"] == "dag" and started["workflow"] == "launch-note"
    finished = next(e for e in events if e.type == "agent.finished").payload
    assert finished["model"] and isinstance(finished["input_tokens"], int)
    assert {"cost_usd", "seconds", "tool_calls"} <= finished.keys()
    assert {e.run_id for e in events} == {run.id}
    # Each agent call's outcome is in the SQL journal: `office steps` and the timeline.
    assert [e.key for e in store.journal.ordered(run.id)] == [
        "dag/node/research/attempt/1",
        "dag/node/write/attempt/1",
    ]

    failed = store.runs.require(broken.id)
    failed_task = store.tasks.get(failed.task_id)
    assert broken.status is RunStatus.FAILED
    assert failed.status is StoredStatus.COMPLETED  # the workflow ended; the agents failed
    assert failed_task is not None and failed_task.status == "failed"
    failed_types = [e.type for e in store.events.read(failed.task_id)]
    assert "agent.failed" in failed_types and "workflow.failed" in failed_types

    env = {**os.environ, "OFFICE_HOME": str(tmp_path / "home"), "COLUMNS": "200"}
    listed = subprocess.run(
        [sys.executable, "-m", "intelligent_office.cli", "runs", "--kind", "agents"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert run.id in listed.stdout and broken.id in listed.stdout
    shown = subprocess.run(
        [sys.executable, "-m", "intelligent_office.cli", "show", run.id],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "workflow launch-note" in shown.stdout and "agent.finished" in shown.stdout

    with running(settings) as live:
        alice = live.client(live.key("alice"))
        listed_runs = alice.get("/runs", params={"kind": "agents"}).json()
        assert {(r["run_id"], r["kind"]) for r in listed_runs} == {
            (run.id, "agents"),
            (broken.id, "agents"),
        }
        stream = alice.get(f"/runs/{run.id}/events")
        assert "event: agent.finished" in stream.text and "event: workflow.completed" in stream.text
        bob = live.client(live.key("bob"))
        assert bob.get("/runs").json() == []
        assert bob.get(f"/runs/{run.id}").status_code == 404
        assert bob.get(f"/runs/{run.id}/events").status_code == 404

        # The web UI reads the same records: history (kind agents) and the run page.
        alice_ui = live.client(cookies={"office_key": live.key("alice")})
        history = alice_ui.get("/ui/tasks", params={"kind": "agents"}).text
        assert f'href="/ui/runs/{run.id}"' in history and 'data-kind="agents"' in history
        page = alice_ui.get(f"/ui/runs/{run.id}").text
        assert 'data-agent="research"' in page and 'data-agent="write"' in page
        assert 'id="run-pattern">dag<' in page and "agent.finished" in page
        bob_ui = live.client(cookies={"office_key": live.key("bob")})
        assert bob_ui.get(f"/ui/runs/{run.id}").status_code == 404


async def test_a_cancel_request_in_the_store_cancels_a_temporal_agent_run(
    temporal_server: str, settings: Settings, store: Store, tmp_path: Path
) -> None:
    async def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if info.instructions == "write":
            await asyncio.sleep(60)  # a long model call: the run is cancelled meanwhile
        return ModelResponse(parts=[TextPart("done")])

    office = Office(settings, store, brain=ScriptedBrain(planner=writer, reviewer=approve_all))
    client = await connect(temporal_server, store=store)
    queue = f"cancel-agents-{tmp_path.name}"
    slow = WorkflowRunner(PydanticAIModel(FunctionModel(answer, model_name="slow")))
    workflows, activities = worker_parts(slow, store)
    worker = build_worker(
        client,
        office.activities(),
        store,
        WorkerOptions(task_queue=queue, bridge=False),
        workflows=workflows,
        activities=activities,
    )
    bridge = RunBridge(TemporalSubmitter(client, store))
    async with worker:
        caller = Office(model=model().model(), user_id="alice")
        running = asyncio.create_task(
            caller.run_workflow(team(), temporal=client, task_queue=queue)
        )
        run_id = await _writer_started(store)
        assert store.runs.request_cancel(run_id)  # what `office cancel` and the API do
        assert await bridge.forward_cancellations() == [run_id]
        with pytest.raises(WorkflowFailureError):
            await running

    stored = store.runs.require(run_id)
    task = store.tasks.get(stored.task_id)
    assert stored.status is StoredStatus.CANCELLED and stored.error == "cancelled"
    assert task is not None and task.status == "cancelled" and task.user_id == "alice"
    assert "agent.started" in [e.type for e in store.events.read(stored.task_id)]


async def _writer_started(store: Store) -> str:
    """The id of the agent run whose writer has started (its events are stored)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for run in store.runs.recent(workflow="agentkit.workflow"):
            events = store.events.read(run.task_id)
            if any(e.payload.get("agent") == "write" for e in events):
                return run.run_id
        await asyncio.sleep(0.05)
    raise AssertionError("the writer never started")
