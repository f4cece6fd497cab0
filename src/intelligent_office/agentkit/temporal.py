"""Agent workflows on Temporal: `agentkit.workflow`, the library's workflow code unchanged.

    workflows, activities = worker_parts(office.workflow_runner, store)  # or WorkflowRunner(model)
    worker = build_worker(client, agents, store, options, workflows=workflows,
                          activities=activities)
    run = await run_agent_workflow(client, wf, task_queue=options.task_queue, user_id="alice")

The workflow runs `WorkflowRunner.run` on a `TemporalRuntime`: the patterns, the engine
and the ledger (budget included) are workflow code, and every agent call is a Temporal
activity (`agentkit.call_agent`) whose activity id is its stable key
(`dag/<agent>/attempt/1` ...), so Temporal's history is the journal. The worker's runner
answers the calls: its model, its tools under its policy, in its workspace.

A worker with a store stores each run as the local runtime does (`temporal_records`): a
task of kind `agents` owned by the user who started it, a run row, each agent call's
outcome in the SQL journal and the run's events in the events table, so the CLI, the
API and the web UI list it.
"""

from __future__ import annotations

import asyncio
import getpass
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio import workflow
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from pydantic import Field

    from intelligent_office.agentkit.agent import Agent
    from intelligent_office.agentkit.durable import AGENT_WORKFLOW, agent_call_activity
    from intelligent_office.agentkit.models import ModelAnswer
    from intelligent_office.agentkit.temporal_records import (
        FINISH_AGENT_RUN,
        START_AGENT_RUN,
        AgentRunFinish,
        AgentRunRecords,
        AgentRunStart,
    )
    from intelligent_office.agentkit.workflow import Workflow
    from intelligent_office.agentkit.workflow_run import WorkflowRun
    from intelligent_office.agentkit.workflow_runner import WorkflowRunner
    from intelligent_office.runtime.temporal.activities import temporal_activity_for
    from intelligent_office.runtime.temporal.messages import DEFAULT_TASK_QUEUE, WorkflowRunInput
    from intelligent_office.runtime.temporal.runtime import LOST_WORKER_ATTEMPTS, TemporalRuntime
    from intelligent_office.store import Store
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
    user_id: str = Field(default="", description="Who started it: the stored task's owner.")

    @property
    def owner_task_id(self) -> str:
        """The task it works for ("" when none)."""
        return self.task_id


class _WorkerModel:
    """The workflow's model, never called: the worker's model answers in the activity."""

    async def complete(self, agent: Agent, user: str, tools: Sequence[Any] = ()) -> ModelAnswer:
        """Never called in workflow code."""
        raise RuntimeError("on Temporal, agents' models run in the worker's activities")


_BOOKKEEPING_TIMEOUT = timedelta(seconds=60)
_BOOKKEEPING_RETRY = RetryPolicy(maximum_attempts=LOST_WORKER_ATTEMPTS * 3)
"""Storing the run only writes the store, so it is retried a little longer."""


@workflow.defn(name=AGENT_WORKFLOW)
class AgentWorkflow:
    """One agent workflow run on Temporal; returns its `WorkflowRun`."""

    @workflow.run
    async def run(self, run: AgentRunInput) -> WorkflowRun:
        """Run the workflow's agents; a failure of the code itself fails the run for good."""
        runtime = TemporalRuntime(run)
        start = AgentRunStart(
            run_id=run.run_id,
            task_id=run.task_id,
            user_id=run.user_id,
            workflow=run.workflow,
            input=run.input,
        )
        await _bookkeeping(START_AGENT_RUN, start, "agentkit/temporal/start")
        await runtime.emit(
            "run.started",
            {"workflow": AGENT_WORKFLOW, "start": 1, "worker": "temporal"},
            key="run/start/1",
        )
        # No tools and a fixed workspace here: tools are called in the activity only.
        runner = WorkflowRunner(_WorkerModel(), tools=ToolRegistry(), workspace=Path("/"))
        try:
            outcome = await runner.run(run.workflow, input=run.input, runtime=runtime)
        except asyncio.CancelledError:
            await _finish(runtime, "cancelled", "cancelled", error="cancelled")
            raise
        except Exception as failure:
            message = f"{type(failure).__name__}: {failure}"
            await runtime.emit("run.failed", {"error": message}, key="run/failed")
            await _finish(runtime, "failed", "failed", error=message)
            raise ApplicationError(
                message, type=type(failure).__name__, non_retryable=True
            ) from None
        await runtime.emit("run.completed", {"replayed": 0}, key="run/done")
        result = outcome.model_dump(mode="json")
        await _finish(runtime, "completed", outcome.status.value, result=result)
        return outcome


async def _finish(
    runtime: TemporalRuntime,
    status: str,
    task_status: str,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    finish = AgentRunFinish(
        run_id=runtime.run_id,
        task_id=runtime.task_id,
        status=status,
        task_status=task_status,
        result=result,
        error=error,
        events=runtime.take_events(),
    )
    await _bookkeeping(FINISH_AGENT_RUN, finish, "agentkit/temporal/finish")


async def _bookkeeping(name: str, value: AgentRunStart | AgentRunFinish, key: str) -> None:
    await workflow.execute_activity(
        name,
        value,
        activity_id=key,
        start_to_close_timeout=_BOOKKEEPING_TIMEOUT,
        retry_policy=_BOOKKEEPING_RETRY,
    )


def agent_activities(
    runner: WorkflowRunner, store: Store | None = None
) -> list[Callable[..., Awaitable[Any]]]:
    """The activities a worker hosts for agent workflows: the agent call, by `runner`, and
    the bookkeeping that stores each run in `store` (None: not stored)."""
    records = AgentRunRecords(store)
    call = temporal_activity_for(
        agent_call_activity(runner), records.store_events, records.copy_outcome
    )
    return [call, *records.activities()]


def worker_parts(
    runner: WorkflowRunner, store: Store | None = None
) -> tuple[list[type], list[Callable[..., Awaitable[Any]]]]:
    """What a Temporal worker adds to host agent workflows answered by `runner` and stored
    in `store` (None: not stored; `office worker` passes the Office's)."""
    return [AgentWorkflow], agent_activities(runner, store)


async def run_agent_workflow(
    client: Client,
    agents: Workflow,
    *,
    input: str | None = None,
    task_queue: str = DEFAULT_TASK_QUEUE,
    run_id: str | None = None,
    user_id: str | None = None,
) -> WorkflowRun:
    """Run `agents` on Temporal to the end (a worker hosting agent workflows serves the queue);
    a worker with a store stores it as `user_id`'s run (the login name when None)."""
    value = AgentRunInput(
        run_id=run_id or uuid.uuid4().hex,
        task_id=uuid.uuid4().hex,
        user_id=user_id or getpass.getuser(),
        workflow=agents,
        input=input,
    )
    return await client.execute_workflow(
        AgentWorkflow.run, value, id=value.run_id, task_queue=task_queue
    )
