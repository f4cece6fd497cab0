"""Agent workflows as durable runs: a workflow definition the local runtime's worker runs.

    worker = LocalWorker(store, WorkflowRegistry([agent_workflow(office)]))
    record = worker.submit(AGENT_WORKFLOW, AgentWorkflowInput(workflow=wf), task_id=task_id)
    finished = await worker.run(record.run_id)     # finished.result is the WorkflowRun

Each agent call is an activity journaled under its stable key (`dag/<agent>/attempt/1`,
`pipeline/...`), so a run resumed after a crash answers the finished calls from the
journal and calls no model for them again.
"""

from __future__ import annotations

from pydantic import BaseModel

from intelligent_office.agentkit.office import Office, WorkflowRun
from intelligent_office.agentkit.workflow import Workflow
from intelligent_office.runtime.base import Runtime
from intelligent_office.runtime.workflow import WorkflowDef

__all__ = ["AGENT_WORKFLOW", "AgentWorkflowInput", "agent_workflow"]

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
