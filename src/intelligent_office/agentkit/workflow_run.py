"""One agent workflow run as a developer sees it, and the book of the runs an Office made."""

from __future__ import annotations

from collections import Counter, OrderedDict
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from intelligent_office.agentkit.runner import AgentRecord
from intelligent_office.agentkit.status import AgentState

__all__ = ["RunBook", "RunStatus", "SystemStatus", "WorkflowRun"]


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


@dataclass
class _Tally:
    """Totals over finished runs, kept instead of the runs themselves."""

    workflows: Counter[RunStatus] = field(default_factory=Counter)
    agents: Counter[AgentState] = field(default_factory=Counter)
    calls: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    agent_seconds: float = 0.0
    timed_agents: int = 0
    """Agents that made at least one call: the mean agent time is over them."""

    def add(self, run: WorkflowRun) -> None:
        self.workflows[run.status] += 1
        for record in run.agents.values():
            self.agents[record.state] += 1
            self.calls += record.calls
            self.tokens += record.input_tokens + record.output_tokens
            self.cost_usd += record.cost_usd
            if record.calls:
                self.agent_seconds += record.seconds
                self.timed_agents += 1


class RunBook:
    """The runs one Office made: those running now, the latest finished, totals over all.

    Bounded: a server's Office makes runs for as long as it lives, so only the latest
    `keep` finished runs are held (every run is also in the store); the totals count all.
    """

    def __init__(self, keep: int = 1000) -> None:
        self.keep = keep
        self._running: dict[str, WorkflowRun] = {}
        self._finished: OrderedDict[str, WorkflowRun] = OrderedDict()
        self._totals = _Tally()

    def start(self, run: WorkflowRun) -> None:
        """A run has started: `get` shows it as it goes."""
        self._running[run.id] = run

    def finish(self, run: WorkflowRun) -> None:
        """A run has ended; counted once, however often it is handed in (a replay, a copy)."""
        self._running.pop(run.id, None)
        if run.id not in self._finished:
            self._totals.add(run)
        self._finished[run.id] = run
        self._finished.move_to_end(run.id)
        while len(self._finished) > self.keep:
            self._finished.popitem(last=False)

    def get(self, run_id: str) -> WorkflowRun | None:
        """The run as it is now, if this Office made it (and it is among the latest)."""
        return self._running.get(run_id) or self._finished.get(run_id)

    def status(self) -> SystemStatus:
        """Workflows and agents by state; calls, tokens, cost and mean agent time."""
        tally = replace(
            self._totals,
            workflows=Counter(self._totals.workflows),
            agents=Counter(self._totals.agents),
        )
        for run in self._running.values():
            tally.add(run)
        return SystemStatus(
            workflows={s: tally.workflows[s] for s in RunStatus},
            agents={s: tally.agents[s] for s in AgentState},
            calls=tally.calls,
            tokens=tally.tokens,
            cost_usd=tally.cost_usd,
            mean_agent_seconds=(
                tally.agent_seconds / tally.timed_agents if tally.timed_agents else None
            ),
        )
