"""ScriptedBrain: the fake brain tests script, in the spirit of pydantic-ai's FunctionModel.

Each role is a function of its request, so a test can answer the first plan one way
and the second another (e.g. a plan the validator rejects, then a fixed one). Roles
left out fall back to the offline brain, so a test scripts only what it is about.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from intelligent_office.llm.base import (
    PlanCheckRequest,
    PlanningResult,
    PlanRequest,
    ReviewRequest,
    ReviewResult,
    SynthesisRequest,
)
from intelligent_office.llm.offline import OfflineBrain
from intelligent_office.models import SubtaskGraph, Task
from intelligent_office.tools.base import ToolSpec

__all__ = ["ScriptedBrain"]


@dataclass
class ScriptedBrain:
    """A brain whose roles are plain functions; unscripted roles use the offline rules."""

    planner: Callable[[PlanRequest], PlanningResult] | None = None
    reviewer: Callable[[ReviewRequest], ReviewResult] | None = None
    decomposer: Callable[[Task], SubtaskGraph] | None = None
    checker: Callable[[PlanCheckRequest], list[str]] | None = None
    label: str = "scripted"
    plan_requests: list[PlanRequest] = field(default_factory=list)
    review_requests: list[ReviewRequest] = field(default_factory=list)
    _offline: OfflineBrain = field(default_factory=OfflineBrain)

    @property
    def name(self) -> str:
        """The label given (default `scripted`)."""
        return self.label

    async def decompose(self, task: Task, tools: list[ToolSpec]) -> SubtaskGraph:
        """The scripted decomposition, or the offline one."""
        if self.decomposer is not None:
            return self.decomposer(task)
        return await self._offline.decompose(task, tools)

    async def plan(self, request: PlanRequest) -> PlanningResult:
        """The scripted plan (every request is kept for the test to inspect)."""
        self.plan_requests.append(request)
        if self.planner is not None:
            return self.planner(request)
        return await self._offline.plan(request)

    async def check_plan(self, request: PlanCheckRequest) -> list[str]:
        """The scripted semantic check, or none."""
        return self.checker(request) if self.checker is not None else []

    async def review(self, request: ReviewRequest) -> ReviewResult:
        """The scripted review (every request is kept)."""
        self.review_requests.append(request)
        if self.reviewer is not None:
            return self.reviewer(request)
        return await self._offline.review(request)

    async def synthesize(self, request: SynthesisRequest) -> str:
        """The offline synthesis."""
        return await self._offline.synthesize(request)
