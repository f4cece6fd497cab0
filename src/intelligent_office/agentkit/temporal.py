"""Agent workflows on Temporal: `agentkit.workflow`, the library's workflow code unchanged.

    workflows, activities = worker_parts(office.workflow_runner)   # or WorkflowRunner(model)
    worker = build_worker(client, agents, store, options, workflows=workflows,
                          activities=activities)
    run = await run_agent_workflow(client, wf, task_queue=options.task_queue)

The workflow runs `WorkflowRunner.run` on a `TemporalRuntime`: the patterns, the engine
and the ledger (budget included) are workflow code, and every agent call is a Temporal
activity (`agentkit.call_agent`) whose activity id is its stable key
(`dag/<agent>/attempt/1` ...), so Temporal's history is the journal. The worker's runner
answers the calls: its model, its tools under its policy, in its workspace. The run's
events stay in the workflow (an agent run has no row in the SQL store).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from temporalio import workflow
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from pydantic import Field

    from intelligent_office.agentkit.agent import Agent
    from intelligent_office.agentkit.durable import AGENT_WORKFLOW, agent_call_activity
    from intelligent_office.agentkit.models import ModelAnswer
    from intelligent_office.agentkit.workflow import Workflow
    from intelligent_office.agentkit.workflow_run import WorkflowRun
    from intelligent_office.agentkit.workflow_runner import WorkflowRunner
    from intelligent_office.runtime.temporal.activities import temporal_activity_for
    from intelligent_office.runtime.temporal.messages import DEFAULT_TASK_QUEUE, WorkflowRunInput
    from intelligent_office.runtime.temporal.runtime import TemporalRuntime
    from intelligent_office.tools.base import ToolRegistry

__all__ = [
    "AgentRunInput",
    "AgentWorkflow",
    "agent_activities",
    "run_agent_workflow",
    "worker_parts",
]


class AgentRunInput(WorkflowRunInput):
    """One agent workflow run on Temporal (`agentkit.workflow`): the workflow and its input."""

    workflow: Workflow
    input: str | None = Field(default=None, description="Replaces the workflow's input.")
    task_id: str = Field(default="", description="The task it works for, if any.")

    @property
    def owner_task_id(self) -> str:
        """The task it works for ("" when none)."""
        return self.task_id


class _WorkerModel:
    """The workflow's model, never called: the worker's model answers in the activity."""

    async def complete(self, agent: Agent, user: str, tools: Sequence[Any] = ()) -> ModelAnswer:
        """Never called in workflow code."""
        raise RuntimeError("on Temporal, agents' models run in the worker's activities")


@workflow.defn(name=AGENT_WORKFLOW)
class AgentWorkflow:
    """One agent workflow run on Temporal; returns its `WorkflowRun`."""

    @workflow.run
    async def run(self, run: AgentRunInput) -> WorkflowRun:
        """Run the workflow's agents; a failure of the code itself fails the run for good."""
        # No tools and a fixed workspace here: tools are called in the activity only.
        runner = WorkflowRunner(_WorkerModel(), tools=ToolRegistry(), workspace=Path("/"))
        try:
            return await runner.run(run.workflow, input=run.input, runtime=TemporalRuntime(run))
        except Exception as failure:
            message = f"{type(failure).__name__}: {failure}"
            raise ApplicationError(
                message, type=type(failure).__name__, non_retryable=True
            ) from None


def agent_activities(runner: WorkflowRunner) -> list[Callable[..., Awaitable[Any]]]:
    """The activities a worker hosts for agent workflows: the agent call, by `runner`."""
    return [temporal_activity_for(agent_call_activity(runner))]


def worker_parts(runner: WorkflowRunner) -> tuple[list[type], list[Callable[..., Awaitable[Any]]]]:
    """What a Temporal worker adds to host agent workflows answered by `runner`."""
    return [AgentWorkflow], agent_activities(runner)


async def run_agent_workflow(
    client: Client,
    agents: Workflow,
    *,
    input: str | None = None,
    task_queue: str = DEFAULT_TASK_QUEUE,
    run_id: str | None = None,
) -> WorkflowRun:
    """Run `agents` on Temporal to the end (a worker hosting agent workflows serves the queue)."""
    value = AgentRunInput(run_id=run_id or uuid.uuid4().hex, workflow=agents, input=input)
    return await client.execute_workflow(
        AgentWorkflow.run, value, id=value.run_id, task_queue=task_queue
    )
