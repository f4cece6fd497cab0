"""The Workflow: agents with dependencies, an optional pattern, limits, schedule and trigger.

Validation names the problem in one line: an unknown agent, a dependency cycle
(`cycle: a -> b -> a`), a bad cron expression, a pattern naming an agent that is not there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from intelligent_office.agentkit.agent import Agent
from intelligent_office.agentkit.archetypes import with_archetype_defaults
from intelligent_office.agentkit.runner import WorkflowBudget
from intelligent_office.engine import Graph, Node
from intelligent_office.errors import GraphError
from intelligent_office.limits import MAX_CONCURRENCY, MAX_WORKFLOW_AGENTS
from intelligent_office.runtime.activity import Activity, Empty

__all__ = [
    "ParallelSpec",
    "PatternSpec",
    "PipelineSpec",
    "PipelineStage",
    "ReflectiveSpec",
    "SupervisorSpec",
    "Trigger",
    "Workflow",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PipelineStage(_Strict):
    """A stage's agent and its optional quality gate (an agent that APPROVEs or REVISEs)."""

    agent: str
    gate: str | None = None
    max_rounds: int = Field(default=3, ge=1, le=10)


class PipelineSpec(_Strict):
    """Stages in order; each gets the previous stage's output as context."""

    kind: Literal["pipeline"] = "pipeline"
    stages: list[PipelineStage] = Field(min_length=1)


class SupervisorSpec(_Strict):
    """A supervisor decomposes; specialists chosen by capability work; it synthesizes."""

    kind: Literal["supervisor"] = "supervisor"
    supervisor: str
    specialists: list[str] = Field(min_length=1)


class ParallelSpec(_Strict):
    """Workers answer the same input at once; their answers are fused."""

    kind: Literal["parallel"] = "parallel"
    workers: list[str] = Field(min_length=1)
    fusion: Literal["concat", "vote", "best_by_critic"] = "concat"
    critic: str | None = None
    max_parallel: int = Field(default=10, ge=1, le=MAX_CONCURRENCY)

    @model_validator(mode="after")
    def _critic_for_best(self) -> Self:
        if self.fusion == "best_by_critic" and self.critic is None:
            raise ValueError("fusion best_by_critic needs a critic: name the critic agent")
        return self


class ReflectiveSpec(_Strict):
    """An agent answers, a critic judges, the agent improves, until APPROVE or max_rounds."""

    kind: Literal["reflective"] = "reflective"
    agent: str
    critic: str
    max_rounds: int = Field(default=3, ge=1, le=10)


PatternSpec = Annotated[
    PipelineSpec | SupervisorSpec | ParallelSpec | ReflectiveSpec, Field(discriminator="kind")
]


class Trigger(_Strict):
    """What else starts the workflow: by hand (always) or by an HTTP call."""

    kind: Literal["manual", "api"] = "manual"


def _referenced(pattern: PatternSpec) -> list[str]:
    if isinstance(pattern, PipelineSpec):
        return [n for s in pattern.stages for n in (s.agent, s.gate) if n is not None]
    if isinstance(pattern, SupervisorSpec):
        return [pattern.supervisor, *pattern.specialists]
    if isinstance(pattern, ParallelSpec):
        return [*pattern.workers, *([pattern.critic] if pattern.critic else [])]
    return [pattern.agent, pattern.critic]


async def _noop(value: Empty) -> Empty:
    return value


_NOOP: Activity[Empty, Empty] = Activity("agentkit.noop", _noop, Empty, Empty)


class Workflow(_Strict):
    """A set of agents and how they run together.

    Without a pattern the agents run as a DAG by their `dependencies`, each getting its
    dependencies' outputs as context. With one, the pattern decides the flow.
    """

    name: str
    description: str = ""
    input: str = Field(default="", description="What the workflow works on: {input} in prompts.")
    agents: list[Agent] = Field(min_length=1, max_length=MAX_WORKFLOW_AGENTS)
    pattern: PatternSpec | None = None
    max_parallel_agents: int = Field(default=10, ge=1, le=MAX_CONCURRENCY)
    budget: WorkflowBudget = Field(default_factory=WorkflowBudget)
    allow_partial_completion: bool = False
    schedule: str | None = Field(default=None, description="A cron expression, e.g. 0 7 * * *")
    trigger: Trigger = Field(default_factory=Trigger)
    workspace: Path | None = Field(
        default=None,
        description="The directory agents' tools work in; the Office's workspace when None.",
    )

    @field_validator("agents", mode="before")
    @classmethod
    def _archetype_defaults(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        return [with_archetype_defaults(a) if isinstance(a, dict) else a for a in value]

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is None:
            return value
        from croniter import croniter  # only a workflow with a schedule needs it

        if not croniter.is_valid(value):
            raise ValueError(
                f"bad cron expression {value!r}: use five fields, minute hour day month "
                "weekday, e.g. '0 7 * * *'"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        names = [a.name for a in self.agents]
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise ValueError(f"duplicate agent {name!r}: give each agent a unique name")
            seen.add(name)
        for agent in self.agents:
            for dep in agent.dependencies:
                if dep not in seen:
                    raise ValueError(
                        f"agent {agent.name!r} depends on unknown agent {dep!r}: "
                        f"declare it or remove the dependency (agents: {', '.join(names)})"
                    )
        if self.pattern is not None:
            for name in _referenced(self.pattern):
                if name not in seen:
                    raise ValueError(
                        f"{self.pattern.kind} pattern names unknown agent {name!r}: "
                        f"declare it under agents (agents: {', '.join(names)})"
                    )
        try:
            Graph(Node(a.name, _NOOP, Empty(), a.dependencies) for a in self.agents)
        except GraphError as error:
            raise ValueError(str(error)) from None
        return self

    def agent(self, name: str) -> Agent:
        """The agent called `name` (validation guarantees the names a pattern uses exist)."""
        return next(a for a in self.agents if a.name == name)
