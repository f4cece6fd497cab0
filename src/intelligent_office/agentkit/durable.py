"""Agent workflows as durable runs: a workflow definition the local runtime's worker runs.

    worker = LocalWorker(store, WorkflowRegistry([agent_workflow(runner)]))
    record = worker.submit(AGENT_WORKFLOW, AgentWorkflowInput(workflow=wf), task_id=task_id)
    finished = await worker.run(record.run_id)     # finished.result is the WorkflowRun

Each agent call is an activity journaled under its stable key (`dag/<agent>/attempt/1`,
`pipeline/...`), so a run resumed after a crash answers the finished calls from the
journal and calls no model for them again.

On Temporal the workflow code runs in the workflow and the agent calls in a worker's
activity: `agent_call_activity(runner)` is that activity, answered by the worker's model
and tools (`agentkit.temporal` hosts both).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from intelligent_office.agentkit.runner import (
    CALL_AGENT,
    AgentCall,
    AgentOutput,
    AgentRunner,
    RunLedger,
)
from intelligent_office.agentkit.toolbox import AgentToolbox
from intelligent_office.agentkit.workflow import Workflow
from intelligent_office.agentkit.workflow_run import RunStatus, WorkflowRun
from intelligent_office.agentkit.workflow_runner import WorkflowRunner
from intelligent_office.runtime.activity import Activity
from intelligent_office.runtime.base import Runtime
from intelligent_office.runtime.workflow import WorkflowDef, WorkflowRegistry
from intelligent_office.store import RunRecord

if TYPE_CHECKING:
    from intelligent_office.observability import Telemetry
    from intelligent_office.store import Store

__all__ = [
    "AGENT_WORKFLOW",
    "AgentWorkflowInput",
    "agent_call_activity",
    "agent_workflow",
    "run_stored",
    "stored_workflow_run",
]

AGENT_WORKFLOW = "agentkit.workflow"


class AgentWorkflowInput(BaseModel):
    """What a durable agent run runs: the workflow, and its input when it replaces the default."""

    workflow: Workflow
    input: str | None = None
    root: Path | None = None
    """Where its agents' `sources` resolve, kept with the run so a resumed run reads the same
    files (the runner's root when None)."""


def agent_workflow(runner: WorkflowRunner) -> WorkflowDef[AgentWorkflowInput, WorkflowRun]:
    """The definition to register with a worker: `runner`'s model answers, with its tools."""

    async def run(runtime: Runtime, value: AgentWorkflowInput) -> WorkflowRun:
        return await runner.run(value.workflow, input=value.input, runtime=runtime, root=value.root)

    return WorkflowDef(
        name=AGENT_WORKFLOW, fn=run, input_type=AgentWorkflowInput, output_type=WorkflowRun
    )


def agent_call_activity(runner: WorkflowRunner) -> Activity[AgentCall, AgentOutput]:
    """The agent-call activity as a worker hosts it, apart from the workflow code.

    `runner`'s model answers, with its tools under its policy in its workspace. The run's
    budget is checked in the workflow (`BookingRuntime`), so the ledger here is a scratch
    one per call; an agent's own cost_limit is still enforced here.
    """

    async def call(value: AgentCall) -> AgentOutput:
        toolbox = None  # the tools (sandbox, http) are loaded only for an agent with tools
        if value.agent.tools:
            workspace = (runner.workspace or Path.cwd()).resolve()
            toolbox = AgentToolbox(runner.tools, runner.policy, workspace)
        agents = AgentRunner(runner.model, RunLedger(), root=runner.root, toolbox=toolbox)
        return await agents.activity(value)

    return Activity(CALL_AGENT, call, AgentCall, AgentOutput)


async def run_stored(
    runner: WorkflowRunner,
    store: Store,
    workflow: Workflow,
    *,
    input: str | None,
    root: Path | None,
    user_id: str,
    lease_seconds: float = 30.0,
    telemetry: Telemetry | None = None,
) -> WorkflowRun:
    """Run `workflow` to its end on the local runtime in this process, as `user_id`'s stored
    task of kind agent workflow: its run, journal and events are in `store`."""
    from intelligent_office.runtime.worker import LocalWorker  # the worker: only to run one

    text = input if input is not None else workflow.input
    task, _ = store.tasks.create(
        task_id=uuid.uuid4().hex,
        user_id=user_id,
        description=f"agent workflow {workflow.name}" + (f": {text}" if text else ""),
        body={"kind": "agent_workflow", "workflow": workflow.name, "input": text},
        status="running",
    )
    worker = LocalWorker(
        store,
        WorkflowRegistry([agent_workflow(runner)]),
        lease_seconds=lease_seconds,
        telemetry=telemetry,
    )
    queued = worker.submit(
        AGENT_WORKFLOW,
        AgentWorkflowInput(workflow=workflow, input=input, root=root),
        task_id=task.task_id,
    )
    run = stored_workflow_run(await worker.run(queued.run_id))
    store.tasks.set_status(task.task_id, run.status.value)
    return run


def stored_workflow_run(record: RunRecord) -> WorkflowRun:
    """The WorkflowRun a stored agent run holds, or one saying it runs or why it failed."""
    if record.result is not None:
        return WorkflowRun.model_validate(record.result)
    name = AgentWorkflowInput.model_validate(record.input).workflow.name
    if not record.status.finished:
        return WorkflowRun(id=record.run_id, workflow=name, started_at=record.created_at)
    return WorkflowRun(
        id=record.run_id,
        workflow=name,
        status=RunStatus.FAILED,
        failure=record.error or f"run {record.status.value}",
        started_at=record.created_at,
    )
