"""The Office loop's activities as the workflow sees them on Temporal: names and types, no services.

Workflow code hands `OfficeActivities`' activities to the runtime, which on Temporal uses
only their stable names and output types; the functions themselves run in the
worker's activities (`activities.py`). The one fact the workflow reads about tools,
whether each is idempotent (the executor retries only those), comes from the worker
through an activity, so a replay sees the answer the first run saw.
"""

from __future__ import annotations

from typing import NoReturn

from pydantic import BaseModel, ConfigDict

from intelligent_office.activities.office_activities import OfficeActivities
from intelligent_office.llm.base import (
    PlanCheckRequest,
    PlanningResult,
    PlanRequest,
    ReviewRequest,
    ReviewResult,
    SynthesisRequest,
)
from intelligent_office.models import SubtaskGraph, Task
from intelligent_office.runtime.temporal.messages import ToolFlags
from intelligent_office.tools.base import Tool, ToolRegistry, ToolSpec
from intelligent_office.tools.policy import Policy

__all__ = ["ActivitiesOnlyBrain", "tool_flags", "workflow_agents"]


class _NoArguments(BaseModel):
    model_config = ConfigDict(extra="allow")


def _runs_in_an_activity(*_: object, **__: object) -> NoReturn:
    raise RuntimeError("on Temporal, tools and brains run in the worker's activities")


class ActivitiesOnlyBrain:
    """A Brain that is never called: the workflow reaches the real one through activities."""

    @property
    def name(self) -> str:
        """Where the real brain is."""
        return "temporal-worker"

    async def decompose(self, task: Task, tools: list[ToolSpec]) -> SubtaskGraph:
        """Never called in workflow code."""
        _runs_in_an_activity()

    async def plan(self, request: PlanRequest) -> PlanningResult:
        """Never called in workflow code."""
        _runs_in_an_activity()

    async def check_plan(self, request: PlanCheckRequest) -> list[str]:
        """Never called in workflow code."""
        _runs_in_an_activity()

    async def review(self, request: ReviewRequest) -> ReviewResult:
        """Never called in workflow code."""
        _runs_in_an_activity()

    async def synthesize(self, request: SynthesisRequest) -> str:
        """Never called in workflow code."""
        _runs_in_an_activity()


def tool_flags(tools: ToolRegistry) -> ToolFlags:
    """Which of the worker's tools are idempotent, by name."""
    return ToolFlags(idempotent={spec.name: spec.idempotent for spec in tools.specs()})


def workflow_agents(flags: ToolFlags) -> OfficeActivities:
    """`OfficeActivities` for workflow code: the activities by name, tools known by their flags."""
    tools = ToolRegistry(
        Tool(
            spec=ToolSpec(name=name, description=name, parameters={}, idempotent=idempotent),
            arguments_model=_NoArguments,
            fn=_runs_in_an_activity,
        )
        for name, idempotent in flags.idempotent.items()
    )
    return OfficeActivities(brain=ActivitiesOnlyBrain(), tools=tools, policy=Policy())
