"""Running agents as engine nodes: one activity per call, its cost and state in a ledger.

Every agent call is an activity (`agent/<name>`) the engine schedules, retries and times
out; the ledger of a run counts calls, tokens and cost, enforces the workflow's budget
and each agent's cost limit, and keeps every agent's state. An agent with tools calls
them inside its activity, through the toolbox's policy; the calls are part of its output.
The ledger books an output when the runtime hands it back (`BookingRuntime`), so a run
replayed from a journal counts the same calls and cost as the first time.
"""

from __future__ import annotations

import asyncio
import glob
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from intelligent_office.agentkit.agent import Agent, render_prompt
from intelligent_office.agentkit.models import AgentBudgetExceeded, AgentModel
from intelligent_office.agentkit.status import AgentState
from intelligent_office.agentkit.toolbox import AgentToolbox, ToolUse, ToolUses
from intelligent_office.engine import Node, NodeResult, NodeStatus
from intelligent_office.runtime.activity import Activity

__all__ = [
    "CALL_AGENT",
    "AgentCall",
    "AgentOutput",
    "AgentRecord",
    "AgentRunner",
    "RunLedger",
    "WorkflowBudget",
    "state_of",
]


CALL_AGENT = "agentkit.call_agent"
"""The stable name of the agent-call activity (what journals and Temporal histories show)."""


class WorkflowBudget(BaseModel):
    """What one workflow run may spend on models; None for no limit."""

    max_cost_usd: float | None = None
    max_tokens: int | None = None


class AgentCall(BaseModel):
    """One call of one agent: the agent and the user message."""

    agent: Agent
    prompt: str


class AgentOutput(BaseModel):
    """An agent's answer and what it cost."""

    agent: str
    text: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    duration_seconds: float = 0.0
    tool_calls: list[ToolUse] = []


class AgentRecord(BaseModel):
    """One agent's part in a run, as `workflow_status` shows it."""

    state: AgentState = AgentState.PENDING
    model: str | None = None
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0
    output: str | None = None
    error: str | None = None
    tool_calls: list[ToolUse] = []


@dataclass
class RunLedger:
    """Calls, tokens, cost and agent states of one run; enforces the run's budget."""

    budget: WorkflowBudget = field(default_factory=WorkflowBudget)
    agents: dict[str, AgentRecord] = field(default_factory=dict)

    def record(self, name: str) -> AgentRecord:
        """The agent's record, created on first use."""
        return self.agents.setdefault(name, AgentRecord())

    @property
    def cost_usd(self) -> float:
        """Spent so far in this run."""
        return sum(r.cost_usd for r in self.agents.values())

    @property
    def tokens(self) -> int:
        """Tokens used so far in this run."""
        return sum(r.input_tokens + r.output_tokens for r in self.agents.values())

    def check(self, agent: Agent) -> None:
        """Raise when the run's budget is spent, before another call is made."""
        limit = self.budget
        if limit.max_cost_usd is not None and self.cost_usd >= limit.max_cost_usd:
            raise AgentBudgetExceeded(
                f"agent {agent.name}: the workflow budget of ${limit.max_cost_usd} is spent "
                f"(${self.cost_usd:.4f}); raise budget.max_cost_usd"
            )
        if limit.max_tokens is not None and self.tokens >= limit.max_tokens:
            raise AgentBudgetExceeded(
                f"agent {agent.name}: the workflow budget of {limit.max_tokens} tokens is spent "
                f"({self.tokens}); raise budget.max_tokens"
            )

    def add(self, output: AgentOutput) -> None:
        record = self.record(output.agent)
        record.calls += 1
        record.model = output.model
        record.input_tokens += output.input_tokens
        record.output_tokens += output.output_tokens
        record.cost_usd += output.cost_usd
        record.seconds += output.duration_seconds
        record.tool_calls.extend(output.tool_calls)


def state_of(result: NodeResult) -> AgentState:
    """The agent state a finished engine node stands for."""
    if result.status is NodeStatus.COMPLETED:
        return AgentState.COMPLETED
    if result.status is NodeStatus.SKIPPED:
        return AgentState.SKIPPED
    if result.status is NodeStatus.CANCELLED:
        return AgentState.CANCELLED
    if result.status is NodeStatus.FAILED:
        error = result.error or ""
        if error.startswith("AgentRateLimited"):
            return AgentState.RATE_LIMITED
        if error.startswith(("AgentBudgetExceeded", "BudgetExceeded")):
            return AgentState.BUDGET_EXCEEDED
        if error.startswith("ModelNeeded"):
            return AgentState.NEEDS_MODEL
        return AgentState.FAILED
    return AgentState.RUNNING if result.status is NodeStatus.RUNNING else AgentState.PENDING


# Builds an agent's user message from the outputs of its node's dependencies.
PromptBuilder = Callable[[Mapping[str, AgentOutput]], str]


class AgentRunner:
    """Turns agents into engine nodes whose activity calls the model and books the cost."""

    def __init__(
        self,
        model: AgentModel,
        ledger: RunLedger,
        *,
        root: Path | None = None,
        toolbox: AgentToolbox | None = None,
    ) -> None:
        """`root` is where agents' `sources` globs are resolved (the workflow file's folder);
        `toolbox` holds the tools agents may call (none when None)."""
        self.model = model
        self.ledger = ledger
        self.root = root or Path.cwd()
        self.toolbox = toolbox
        self.activity: Activity[AgentCall, AgentOutput] = Activity(
            CALL_AGENT, self._call, AgentCall, AgentOutput
        )

    async def _call(self, call: AgentCall) -> AgentOutput:
        agent = call.agent
        record = self.ledger.record(agent.name)
        record.state = AgentState.RUNNING
        self.ledger.check(agent)
        prompt = call.prompt
        if agent.sources:
            material = await asyncio.to_thread(read_sources, self.root, agent.sources)
            prompt = f"{prompt}\n\nDocuments:\n{material}"
        started = time.perf_counter()
        uses = ToolUses()
        tools = self.toolbox.for_agent(agent, uses) if self.toolbox is not None else []
        if tools:
            answer = await self.model.complete(agent, prompt, tools)
        else:
            answer = await self.model.complete(agent, prompt)
        output = AgentOutput(
            agent=agent.name,
            text=answer.text,
            model=answer.model,
            input_tokens=answer.input_tokens,
            output_tokens=answer.output_tokens,
            cost_usd=answer.cost_usd,
            duration_seconds=time.perf_counter() - started,
            tool_calls=uses.items,
        )
        if agent.cost_limit is not None and answer.cost_usd > agent.cost_limit:
            self.ledger.add(output)  # spent, though the output is refused
            raise AgentBudgetExceeded(
                f"agent {agent.name}: a call cost ${answer.cost_usd:.4f}, over its cost_limit "
                f"${agent.cost_limit}; raise cost_limit or pick a cheaper tier"
            )
        return output

    def node(
        self, node_id: str, agent: Agent, prompt: PromptBuilder, dependencies: tuple[str, ...] = ()
    ) -> Node:
        """An engine node calling `agent` with the message `prompt` builds from its inputs."""

        def build(outputs: Mapping[str, BaseModel]) -> AgentCall:
            typed = {k: v for k, v in outputs.items() if isinstance(v, AgentOutput)}
            return AgentCall(agent=agent, prompt=prompt(typed))

        return Node(
            id=node_id,
            activity=self.activity,
            input=build,
            dependencies=dependencies,
            priority=agent.priority,
            timeout_seconds=agent.timeout,
            retry=agent.retry_policy,
        )

    def agent_node(self, agent: Agent, workflow_input: str, feedback: str = "") -> Node:
        """The node of a plain DAG agent: its dependencies' outputs are its context."""

        def prompt(outputs: Mapping[str, AgentOutput]) -> str:
            return render_prompt(
                agent, input=workflow_input, context=join_outputs(outputs), feedback=feedback
            )

        return self.node(agent.name, agent, prompt, agent.dependencies)


def join_outputs(outputs: Mapping[str, AgentOutput]) -> str:
    """Outputs as `## name` sections, in the order given."""
    return "\n\n".join(f"## {name}\n{out.text}" for name, out in outputs.items())


def read_sources(root: Path, patterns: tuple[str, ...], limit: int = 200_000) -> str:
    """The text of the files the globs match under `root`, each under a `### path` heading."""
    parts: list[str] = []
    for pattern in patterns:
        for name in sorted(glob.glob(str(root / pattern), recursive=True)):
            path = Path(name)
            if path.is_file():
                rel = path.relative_to(root) if path.is_relative_to(root) else path
                parts.append(f"### {rel}\n{path.read_text(errors='replace')}")
    return "\n\n".join(parts)[:limit]
