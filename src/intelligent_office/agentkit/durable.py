"""Agent workflows as durable runs: a workflow definition the local runtime's worker runs.

    worker = LocalWorker(store, WorkflowRegistry([agent_workflow(office)]))
    record = worker.submit(AGENT_WORKFLOW, AgentWorkflowInput(workflow=wf), task_id=task_id)
    finished = await worker.run(record.run_id)     # finished.result is the WorkflowRun

Each agent call is an activity journaled under its stable key (`dag/<agent>/attempt/1`,
`pipeline/...`), so a run resumed after a crash answers the finished calls from the
journal and calls no model for them again.

On Temporal the workflow code runs in the workflow and the agent calls in a worker's
activity: `agent_call_activity(office)` is that activity, answered by the worker's model
and tools (`agentkit.temporal` hosts both).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from intelligent_office.agentkit.office import Office, WorkflowRun
from intelligent_office.agentkit.runner import (
    CALL_AGENT,
    AgentCall,
    AgentOutput,
    AgentRunner,
    RunLedger,
)
from intelligent_office.agentkit.toolbox import AgentToolbox
from intelligent_office.agentkit.workflow import Workflow
from intelligent_office.runtime.activity import Activity
from intelligent_office.runtime.base import Runtime
from intelligent_office.runtime.workflow import WorkflowDef

__all__ = ["AGENT_WORKFLOW", "AgentWorkflowInput", "agent_call_activity", "agent_workflow"]

AGENT_WORKFLOW = "agentkit.workflow"


class AgentWorkflowInput(BaseModel):
    """What a durable agent run runs: the workflow, and its input when it replaces the default."""

    workflow: Workflow
    input: str | None = None


def agent_workflow(office: Office) -> WorkflowDef[AgentWorkflowInput, WorkflowRun]:
    """The definition to register with a worker: `office` answers the agents and holds the tools."""

    async def run(runtime: Runtime, value: AgentWorkflowInput) -> WorkflowRun:
        return await office.run_workflow(value.workflow, input=value.input, runtime=runtime)

    return WorkflowDef(
        name=AGENT_WORKFLOW, fn=run, input_type=AgentWorkflowInput, output_type=WorkflowRun
    )


def agent_call_activity(office: Office) -> Activity[AgentCall, AgentOutput]:
    """The agent-call activity as a worker hosts it, apart from the workflow code.

    `office`'s model answers, with its tools under its policy in its workspace. The run's
    budget is checked in the workflow (`BookingRuntime`), so the ledger here is a scratch
    one per call; an agent's own cost_limit is still enforced here.
    """

    async def call(value: AgentCall) -> AgentOutput:
        toolbox = None  # the tools (sandbox, http) are loaded only for an agent with tools
        if value.agent.tools:
            workspace = (office.workspace or Path.cwd()).resolve()
            toolbox = AgentToolbox(office.tools, office.policy, workspace)
        runner = AgentRunner(office.model, RunLedger(), root=office.root, toolbox=toolbox)
        return await runner.activity(value)

    return Activity(CALL_AGENT, call, AgentCall, AgentOutput)
