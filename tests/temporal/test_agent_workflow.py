"""An agent workflow on Temporal: one activity per agent call under its stable key, the
worker's model answering, and the same run as in-process; its history replays."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType

from intelligent_office import Agent, Office, Workflow
from intelligent_office.agentkit import RunStatus, WorkflowBudget, WorkflowRunner
from intelligent_office.agentkit.status import AgentState
from intelligent_office.agentkit.temporal import AgentWorkflow, run_agent_workflow, worker_parts
from intelligent_office.llm.scripted import ScriptedBrain
from intelligent_office.runtime.temporal import WorkerOptions, build_worker, connect
from intelligent_office.settings import load_settings
from intelligent_office.store import Store
from tests.agentkit.scripted import ScriptedModel
from tests.office.test_tool_approvals import approve_all, writer
from tests.temporal.replay import replay

pytestmark = [pytest.mark.temporal, pytest.mark.timeout(60)]


def analysts() -> ScriptedModel:
    """Each agent answers with its name and how much context it was given."""

    def script(system: str, user: str) -> str:
        return f"{system}: read {user.count('## ')} sections"

    return ScriptedModel(script)


def trio(budget: WorkflowBudget | None = None) -> Workflow:
    return Workflow(
        name="trio",
        input="Summarise the quarter.",
        agents=[
            Agent(name="research", system_prompt="research"),
            Agent(name="analyse", system_prompt="analyse", dependencies=("research",)),
            Agent(name="write", system_prompt="write", dependencies=("research", "analyse")),
        ],
        budget=budget or WorkflowBudget(),
    )


async def test_an_agent_workflow_on_temporal_calls_each_agent_as_an_activity(
    temporal_server: str, store: Store, tmp_path: Path
) -> None:
    local = await Office(model=analysts().model()).run_workflow(trio())
    model = analysts()
    service = Office(
        load_settings(None, home=tmp_path / "home"),
        store,
        brain=ScriptedBrain(planner=writer, reviewer=approve_all),
    )
    client = await connect(temporal_server, store=store)
    queue = f"agents-{tmp_path.name}"
    options = WorkerOptions(task_queue=queue)
    workflows, activities = worker_parts(WorkflowRunner(model.model()))
    worker = build_worker(
        client, service.activities(), store, options, workflows=workflows, activities=activities
    )
    async with worker:
        run = await run_agent_workflow(client, trio(), task_queue=queue, run_id=f"r-{queue}")
        # A budget of one token is spent after the first call: checked in workflow code.
        tight = await run_agent_workflow(
            client, trio(WorkflowBudget(max_tokens=1)), task_queue=queue
        )
        # The library's front door does the same: Office.run_workflow(temporal=client).
        front = Office(model=model.model())
        via_office = await front.run_workflow(trio(), temporal=client, task_queue=queue)
        assert front.workflow_status(via_office.id) is via_office
        assert via_office.output == local.output and via_office.status is RunStatus.COMPLETED

    assert run.id == f"r-{queue}" and run.status is RunStatus.COMPLETED, run.failure
    assert len(model.calls) == 7  # three agents, one before the budget ran out, three again
    assert run.output == local.output == "write: read 2 sections"
    assert {n: (r.state, r.output, r.calls) for n, r in run.agents.items()} == {
        n: (r.state, r.output, r.calls) for n, r in local.agents.items()
    }
    assert run.agents["write"].input_tokens == local.agents["write"].input_tokens > 0
    assert run.seconds is not None and run.seconds >= 0

    history = await client.get_workflow_handle(run.id).fetch_history()
    scheduled = [
        event.activity_task_scheduled_event_attributes
        for event in history.events
        if event.event_type is EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]
    calls = [a for a in scheduled if a.activity_type.name == "agentkit.call_agent"]
    assert sorted((a.activity_type.name, a.activity_id) for a in calls) == [
        ("agentkit.call_agent", "dag/node/analyse/attempt/1"),
        ("agentkit.call_agent", "dag/node/research/attempt/1"),
        ("agentkit.call_agent", "dag/node/write/attempt/1"),
    ]
    await replay(history, AgentWorkflow)  # the workflow code is deterministic

    states = {n: r.state for n, r in tight.agents.items()}
    assert states["research"] is AgentState.COMPLETED
    assert states["analyse"] is AgentState.BUDGET_EXCEEDED
    assert tight.status is RunStatus.FAILED
