"""Agent workflow runs on Temporal, stored as runs: the worker's bookkeeping activities.

An agent workflow run on Temporal is stored as on the local runtime: a task of kind
`agents` owned by the user who started it, a run row (handed to Temporal, so no local
worker claims it), its journal (each agent call's outcome, copied) and its events
(`workflow.started`, `agent.started`, `agent.finished` ...) in the SQL events table.
The worker writes all of it: the workflow starts with `agentkit.temporal.start_run`
(the task and the run), every agent call stores the events emitted before it, and
`agentkit.temporal.finish_run` stores the last events and how the run ended. So
`office runs`, `office show RUN`, `GET /runs` and the web UI list it, whoever started
it. A worker with no store records nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel
from temporalio import activity as temporal_activity

from intelligent_office.agentkit.durable import AGENT_WORKFLOW, AgentWorkflowInput
from intelligent_office.agentkit.workflow import Workflow
from intelligent_office.observability.plain_structlog import lazy_logger
from intelligent_office.runtime.temporal.client import TEMPORAL_OWNER
from intelligent_office.runtime.temporal.messages import ActivityCall, RunFinish
from intelligent_office.runtime.temporal.recording import StoreRecorder
from intelligent_office.store import JournalEntry, RunStatus, Store

__all__ = [
    "FINISH_AGENT_RUN",
    "START_AGENT_RUN",
    "AgentRunFinish",
    "AgentRunRecords",
    "AgentRunStart",
]

START_AGENT_RUN = "agentkit.temporal.start_run"
FINISH_AGENT_RUN = "agentkit.temporal.finish_run"

_HANDED_OVER_SECONDS = 100 * 365 * 86400.0
"""The run's lease, held by Temporal: no local worker ever claims it."""

_log = lazy_logger(__name__)


class AgentRunStart(BaseModel):
    """What the store needs to list a new agent run: whose it is and what it runs."""

    run_id: str
    task_id: str
    user_id: str
    workflow: Workflow
    input: str | None = None


class AgentRunFinish(RunFinish):
    """How an agent run ended: the run's status, and the task's (completed, partial ...)."""

    task_status: str


class AgentRunRecords:
    """The activities that store a Temporal agent run (all no-ops without a store)."""

    def __init__(self, store: Store | None) -> None:
        self._recorder = StoreRecorder(store) if store is not None else None

    def activities(self) -> list[Callable[..., Awaitable[Any]]]:
        """The bookkeeping activities a worker of agent workflows registers."""
        return [self.start_run, self.finish_run]

    async def store_events(self, call: ActivityCall) -> None:
        """Before an agent call: store the events the workflow emitted since the last one."""
        if self._recorder is not None:
            await self._recorder.store_events(call)

    async def copy_outcome(self, call: ActivityCall, entry: JournalEntry) -> None:
        """After an agent call: copy its outcome to the run's SQL journal."""
        if self._recorder is not None:
            await self._recorder.copy_outcome(call, entry)

    @temporal_activity.defn(name=START_AGENT_RUN)
    async def start_run(self, start: AgentRunStart) -> None:
        """Store the run's task and run row, handed to Temporal (again: nothing happens)."""
        if self._recorder is not None:
            await asyncio.to_thread(self._start, self._recorder.store, start)

    @temporal_activity.defn(name=FINISH_AGENT_RUN)
    async def finish_run(self, finish: AgentRunFinish) -> None:
        """Store the run's last events, its outcome and its task's status."""
        if self._recorder is not None:
            await asyncio.to_thread(self._finish, self._recorder, finish)

    @staticmethod
    def _start(store: Store, start: AgentRunStart) -> None:
        if store.runs.get(start.run_id) is not None:
            return  # a retried start: the first one stored it
        text = start.input if start.input is not None else start.workflow.input
        store.tasks.create(
            task_id=start.task_id,
            user_id=start.user_id,
            description=f"agent workflow {start.workflow.name}" + (f": {text}" if text else ""),
            body={
                "kind": "agent_workflow",
                "workflow": start.workflow.name,
                "input": text,
                "runtime": "temporal",
            },
            status="running",
            idempotency_key=f"temporal-agent-run/{start.run_id}",
        )
        store.runs.create(
            run_id=start.run_id,
            task_id=start.task_id,
            workflow=AGENT_WORKFLOW,
            input=AgentWorkflowInput(workflow=start.workflow, input=start.input).model_dump(
                mode="json"
            ),
        )
        # Claimed at once and for good: Temporal runs it (`office cancel` still reaches
        # it through the bridge, which cancels the workflows of Temporal-held runs).
        if store.runs.claim(start.run_id, TEMPORAL_OWNER, _HANDED_OVER_SECONDS):
            return
        _log.warning("agent run claimed by a local worker first", run_id=start.run_id)

    @staticmethod
    def _finish(recorder: StoreRecorder, finish: AgentRunFinish) -> None:
        recorder.write_events(finish.run_id, finish.task_id, finish.events)
        store = recorder.store
        store.runs.finish(
            finish.run_id, None, RunStatus(finish.status), result=finish.result, error=finish.error
        )
        store.tasks.set_status(finish.task_id, finish.task_status)
