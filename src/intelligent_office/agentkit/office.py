"""The Office as a library: run agent workflows, ask for their status and the system's.

    office = Office()                        # offline fallback model, inline runtime
    run = await office.run_workflow(wf)
    office.workflow_status(run.id); office.system_status()

An Office given a store (`Office.from_settings(settings)` opens the one the settings
name, the same the CLI, the API and the web UI read) runs each workflow durably on the
local runtime: the run is stored with its task and events, listed by `office runs`,
`GET /runs` and the UI, and resumed by `office resume` after a crash. Without a store
runs are kept by this Office object only. Agents call their tools from the Office's
registry (the built-in tools by default) under its tool policy (the shipped default),
in the workflow's workspace.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from intelligent_office.agentkit.booking import BookingRuntime
from intelligent_office.agentkit.models import AgentModel, OfflineModel
from intelligent_office.agentkit.patterns import (
    PatternOutcome,
    run_dag,
    run_parallel,
    run_pipeline,
    run_reflective,
    run_supervisor,
)
from intelligent_office.agentkit.runner import AgentRecord, AgentRunner, RunLedger, state_of
from intelligent_office.agentkit.status import AgentState
from intelligent_office.agentkit.toolbox import AgentToolbox
from intelligent_office.agentkit.workflow import (
    ParallelSpec,
    PipelineSpec,
    ReflectiveSpec,
    SupervisorSpec,
    Workflow,
)
from intelligent_office.errors import UserError
from intelligent_office.runtime.base import Runtime
from intelligent_office.runtime.inline import InlineRuntime
from intelligent_office.tools.base import ToolRegistry
from intelligent_office.tools.policy import Policy, default_policy

if TYPE_CHECKING:
    from temporalio.client import Client as TemporalClient

    from intelligent_office.settings import Settings
    from intelligent_office.store import Store

__all__ = ["Office", "RunStatus", "SystemStatus", "WorkflowRun"]


class RunStatus(StrEnum):
    """A workflow run's state."""

    RUNNING = "running"
    COMPLETED = "completed"
    PARTIAL = "partial"
    FAILED = "failed"


class WorkflowRun(BaseModel):
    """One run of a workflow: its agents' states and costs, its answer or why it failed."""

    id: str
    workflow: str
    status: RunStatus = RunStatus.RUNNING
    agents: dict[str, AgentRecord] = Field(default_factory=dict)
    output: str | None = None
    failure: str | None = None
    notes: list[str] = Field(default_factory=list)
    started_at: datetime
    seconds: float | None = None

    @property
    def cost_usd(self) -> float:
        """What the run's model calls cost."""
        return sum(r.cost_usd for r in self.agents.values())


class SystemStatus(BaseModel):
    """Counts over every run this Office made."""

    workflows: dict[RunStatus, int]
    agents: dict[AgentState, int]
    calls: int
    tokens: int
    cost_usd: float
    mean_agent_seconds: float | None


class Office:
    """Runs agent workflows in-process: inline by default, or on a runtime you pass."""

    def __init__(
        self,
        model: AgentModel | None = None,
        *,
        root: Path | None = None,
        tools: ToolRegistry | None = None,
        policy: Policy | None = None,
        workspace: Path | None = None,
        store: Store | None = None,
        user_id: str | None = None,
    ) -> None:
        """`model` answers the agents (the offline fallback when None); `root` resolves
        agents' `sources` (the current directory when None); `tools` are what agents may
        call (the built-in tools when None) under `policy` (the shipped default when None)
        in `workspace` (the current directory when None; a workflow's own wins). With a
        `store`, runs are stored there as `user_id`'s (the login name when None)."""
        self.model: AgentModel = model or OfflineModel()
        self.root = root
        self._tools = tools
        self.policy = policy if policy is not None else default_policy()
        self.workspace = workspace
        self.store = store
        self.user_id = user_id
        self._runs: dict[str, WorkflowRun] = {}

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        store: Store | None = None,
        root: Path | None = None,
        user_id: str | None = None,
    ) -> Office:
        """The Office the settings describe, storing its runs in their database.

        `store` is that database already open (else it is opened here); the model is the
        router when a model is configured, else the labelled offline fallback.
        """
        from intelligent_office.agentkit.build import agent_model
        from intelligent_office.tools.policy import load_policy

        if store is None:
            from intelligent_office.state_files import open_store

            store = open_store(settings)
        return cls(
            agent_model(settings, store),
            root=root,
            policy=load_policy(settings.policy_file),
            store=store,
            user_id=user_id,
        )

    async def run_workflow(
        self,
        workflow: Workflow,
        *,
        input: str | None = None,
        runtime: Runtime | None = None,
        temporal: TemporalClient | None = None,
        task_queue: str | None = None,
    ) -> WorkflowRun:
        """Run `workflow` to the end and return its run (also kept for `workflow_status`).

        Args:
            workflow: what to run.
            input: replaces the workflow's `input` for this run.
            runtime: where activities go; an inline runtime (no journal) when None. Pass a
                local runtime's handle to journal every agent call under its stable key.
            temporal: a connected Temporal client: the run goes to a Temporal worker that
                serves `task_queue` with an Office (`office worker --runtime temporal`),
                each agent call an activity; a worker with a store stores the run as
                this Office's user's; needs the `temporal` extra.
            task_queue: the Temporal task queue (default: the Office's).
        """
        if temporal is not None:
            from intelligent_office.agentkit.temporal import run_agent_workflow
            from intelligent_office.runtime.temporal.messages import DEFAULT_TASK_QUEUE

            run = await run_agent_workflow(
                temporal,
                workflow,
                input=input,
                task_queue=task_queue or DEFAULT_TASK_QUEUE,
                user_id=self.user_id,
            )
            self._runs[run.id] = run
            return run
        if runtime is None and self.store is not None:
            return await self._run_stored(workflow, input, self.store)
        if input is not None:
            workflow = workflow.model_copy(update={"input": input})
        # Clock and ids come from the runtime, so a durable run (local or Temporal) is
        # deterministic: a replay sees the same start, end and id.
        inner = runtime if runtime is not None else InlineRuntime(uuid.uuid4().hex)
        run_id = inner.run_id
        started_at = await inner.now("agentkit/run/started")
        run = WorkflowRun(id=run_id, workflow=workflow.name, started_at=started_at)
        ledger = RunLedger(budget=workflow.budget)
        for agent in workflow.agents:
            ledger.record(agent.name)
        run.agents = ledger.agents
        self._runs[run_id] = run
        workspace = (workflow.workspace or self.workspace or Path.cwd()).resolve()
        toolbox = None  # no agent with tools: the tools (sandbox, http) are never loaded
        if any(agent.tools for agent in workflow.agents):
            toolbox = AgentToolbox(self.tools, self.policy, workspace)
        runner = AgentRunner(self.model, ledger, root=self.root, toolbox=toolbox)
        booking = BookingRuntime(inner, ledger)
        await inner.emit(
            "workflow.started",
            {
                "workflow": workflow.name,
                "pattern": workflow.pattern.kind if workflow.pattern else "dag",
                "agents": [
                    {"name": agent.name, "dependencies": list(agent.dependencies)}
                    for agent in workflow.agents
                ],
            },
            key="agentkit/workflow/started",
        )
        try:
            outcome = await _run_pattern(workflow, runner, booking)
        except BaseException:
            run.status, run.failure = RunStatus.FAILED, "interrupted"
            _cancel_unfinished(ledger)
            raise
        run.seconds = (await inner.now("agentkit/run/finished") - started_at).total_seconds()
        _settle(run, ledger, outcome)
        await inner.emit(
            f"workflow.{run.status.value}",
            {
                "output": run.output,
                "failure": run.failure,
                "cost_usd": run.cost_usd,
                "seconds": run.seconds,
                "agents": {name: record.state.value for name, record in run.agents.items()},
            },
            key="agentkit/workflow/finished",
        )
        return run

    async def _run_stored(self, workflow: Workflow, input: str | None, store: Store) -> WorkflowRun:
        """Run durably on the local runtime, as a stored task of kind agent workflow."""
        import getpass

        from intelligent_office.agentkit.durable import (
            AGENT_WORKFLOW,
            AgentWorkflowInput,
            agent_workflow,
        )
        from intelligent_office.runtime.worker import LocalWorker
        from intelligent_office.runtime.workflow import WorkflowRegistry

        text = input if input is not None else workflow.input
        task, _ = store.tasks.create(
            task_id=uuid.uuid4().hex,
            user_id=self.user_id or getpass.getuser(),
            description=f"agent workflow {workflow.name}" + (f": {text}" if text else ""),
            body={"kind": "agent_workflow", "workflow": workflow.name, "input": text},
            status="running",
        )
        worker = LocalWorker(store, WorkflowRegistry([agent_workflow(self)]))
        queued = worker.submit(
            AGENT_WORKFLOW, AgentWorkflowInput(workflow=workflow, input=input), task_id=task.task_id
        )
        finished = await worker.run(queued.run_id)
        if finished.result is not None:
            run = WorkflowRun.model_validate(finished.result)
        else:
            run = WorkflowRun(
                id=finished.run_id,
                workflow=workflow.name,
                status=RunStatus.FAILED,
                failure=finished.error or f"run {finished.status.value}",
                started_at=finished.created_at,
            )
        store.tasks.set_status(task.task_id, run.status.value)
        self._runs[run.id] = run
        return run

    @property
    def tools(self) -> ToolRegistry:
        """The tools agents may call: the built-in ones unless the Office was given others."""
        if self._tools is None:
            from intelligent_office.tools.builtin import builtin_tools  # sandbox, http: on use

            self._tools = builtin_tools()
        return self._tools

    def workflow_status(self, run_id: str) -> WorkflowRun:
        """The run `run_id` as it is now (it may still be running).

        Raises:
            UserError: no run has that id.
        """
        try:
            return self._runs[run_id]
        except KeyError:
            raise UserError(
                f"no workflow run {run_id!r}: use an id run_workflow returned"
            ) from None

    def system_status(self) -> SystemStatus:
        """Workflows and agents by state; calls, tokens, cost and mean agent time."""
        records = [r for run in self._runs.values() for r in run.agents.values()]
        timed = [r.seconds for r in records if r.calls]
        return SystemStatus(
            workflows={s: sum(r.status is s for r in self._runs.values()) for s in RunStatus},
            agents={s: sum(r.state is s for r in records) for s in AgentState},
            calls=sum(r.calls for r in records),
            tokens=sum(r.input_tokens + r.output_tokens for r in records),
            cost_usd=sum(r.cost_usd for r in records),
            mean_agent_seconds=sum(timed) / len(timed) if timed else None,
        )


async def _run_pattern(workflow: Workflow, runner: AgentRunner, runtime: Runtime) -> PatternOutcome:
    pattern = workflow.pattern
    if isinstance(pattern, PipelineSpec):
        return await run_pipeline(pattern, workflow, runner, runtime)
    if isinstance(pattern, SupervisorSpec):
        return await run_supervisor(pattern, workflow, runner, runtime)
    if isinstance(pattern, ParallelSpec):
        return await run_parallel(pattern, workflow, runner, runtime)
    if isinstance(pattern, ReflectiveSpec):
        return await run_reflective(pattern, workflow, runner, runtime)
    return await run_dag(workflow, runner, runtime)


def _settle(run: WorkflowRun, ledger: RunLedger, outcome: PatternOutcome) -> None:
    """Final states: each agent's last node decides; agents never run are skipped."""
    for name, result in outcome.results:
        record = ledger.record(name)
        record.state = state_of(result)
        record.error = result.error or result.skip_reason
        output = result.output
        if output is not None:
            record.output = getattr(output, "text", None)
    for record in ledger.agents.values():
        if record.state in (AgentState.PENDING, AgentState.RUNNING):
            record.state = AgentState.SKIPPED
    run.output, run.notes = outcome.output, outcome.notes
    if outcome.failure is not None:
        run.status, run.failure = RunStatus.FAILED, outcome.failure
    elif outcome.partial:
        run.status = RunStatus.PARTIAL
    else:
        run.status = RunStatus.COMPLETED


def _cancel_unfinished(ledger: RunLedger) -> None:
    for record in ledger.agents.values():
        if record.state in (AgentState.PENDING, AgentState.RUNNING):
            record.state = AgentState.CANCELLED
