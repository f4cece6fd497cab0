"""Runs agent workflows on a runtime: a model answers the agents, who call tools under a policy.

    runner = WorkflowRunner(model)                        # the offline fallback when None
    run = await runner.run(workflow, runtime=runtime)     # inline (no journal) when None

The Office (`intelligent_office.Office`) holds one and runs each workflow through it as a
stored run on the local runtime (`agentkit.durable.agent_workflow(runner)`); a Temporal
worker holds one to answer agent calls (`agentkit.temporal`). Agents call their tools from
the runner's registry (the built-in tools by default) under its tool policy (the shipped
default), in the workflow's workspace, else the runner's, else the current directory.
"""

from __future__ import annotations

import uuid
from pathlib import Path

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
from intelligent_office.agentkit.runner import AgentRunner, RunLedger, state_of
from intelligent_office.agentkit.status import AgentState
from intelligent_office.agentkit.toolbox import AgentToolbox
from intelligent_office.agentkit.workflow import (
    ParallelSpec,
    PipelineSpec,
    ReflectiveSpec,
    SupervisorSpec,
    Workflow,
)
from intelligent_office.agentkit.workflow_run import RunBook, RunStatus, WorkflowRun
from intelligent_office.runtime.base import Runtime
from intelligent_office.runtime.inline import InlineRuntime
from intelligent_office.tools.base import ToolRegistry
from intelligent_office.tools.policy import Policy, default_policy

__all__ = ["WorkflowRunner"]


class WorkflowRunner:
    """Runs an agent workflow's pattern on a runtime, every agent call an activity."""

    def __init__(
        self,
        model: AgentModel | None = None,
        *,
        root: Path | None = None,
        tools: ToolRegistry | None = None,
        policy: Policy | None = None,
        workspace: Path | None = None,
        book: RunBook | None = None,
    ) -> None:
        """`model` answers the agents (the offline fallback when None); `root` resolves
        agents' `sources` (the current directory when None); `tools` are what agents may
        call (the built-in tools when None) under `policy` (the shipped default when None)
        in `workspace` (the current directory when None; a workflow's own wins). `book`,
        when given, holds each run as it goes and when it has ended."""
        self.model: AgentModel = model or OfflineModel()
        self.root = root
        self._tools = tools
        self.policy = policy if policy is not None else default_policy()
        self.workspace = workspace
        self.book = book

    @property
    def tools(self) -> ToolRegistry:
        """The tools agents may call: the built-in ones unless the runner was given others."""
        if self._tools is None:
            from intelligent_office.tools.builtin import builtin_tools  # sandbox, http: on use

            self._tools = builtin_tools()
        return self._tools

    async def run(
        self,
        workflow: Workflow,
        *,
        input: str | None = None,
        runtime: Runtime | None = None,
        root: Path | None = None,
    ) -> WorkflowRun:
        """Run `workflow` to the end on `runtime` (inline, no journal, when None).

        `input` replaces the workflow's input; `root` resolves its agents' `sources`
        (the runner's root when None). Pass a local runtime's handle to journal every
        agent call under its stable key.
        """
        if input is not None:
            workflow = workflow.model_copy(update={"input": input})
        # Clock and ids come from the runtime, so a durable run (local or Temporal) is
        # deterministic: a replay sees the same start, end and id.
        inner = runtime if runtime is not None else InlineRuntime(uuid.uuid4().hex)
        started_at = await inner.now("agentkit/run/started")
        run = WorkflowRun(id=inner.run_id, workflow=workflow.name, started_at=started_at)
        ledger = RunLedger(budget=workflow.budget)
        for agent in workflow.agents:
            ledger.record(agent.name)
        run.agents = ledger.agents
        if self.book is not None:
            self.book.start(run)
        workspace = (workflow.workspace or self.workspace or Path.cwd()).resolve()
        toolbox = None  # no agent with tools: the tools (sandbox, http) are never loaded
        if any(agent.tools for agent in workflow.agents):
            toolbox = AgentToolbox(self.tools, self.policy, workspace)
        runner = AgentRunner(self.model, ledger, root=root or self.root, toolbox=toolbox)
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
            if self.book is not None:
                self.book.finish(run)
            raise
        run.seconds = (await inner.now("agentkit/run/finished") - started_at).total_seconds()
        _settle(run, ledger, outcome)
        if self.book is not None:
            self.book.finish(run)
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
