"""The offline brain: deterministic rules in place of a model, labelled `offline`."""

from __future__ import annotations

import asyncio

from intelligent_office.llm.base import (
    PlanCheckRequest,
    PlanningResult,
    PlanRequest,
    ReviewRequest,
    ReviewResult,
    SynthesisRequest,
)
from intelligent_office.llm.offline.intents import parse_intent, split_requests
from intelligent_office.llm.offline.planner import OFFLINE, plan_subtask, strategies_for
from intelligent_office.llm.offline.reviewer import review_execution
from intelligent_office.models import Subtask, SubtaskGraph, Task
from intelligent_office.tools.base import ToolSpec

__all__ = ["OfflineBrain"]


class OfflineBrain:
    """Decomposes, plans, reviews and answers the tasks the built-in tools can do."""

    @property
    def name(self) -> str:
        """Always `offline`."""
        return OFFLINE

    async def decompose(self, task: Task, tools: list[ToolSpec]) -> SubtaskGraph:
        """One subtask per request in the task; "then" makes a request wait for the one before."""
        subtasks: list[Subtask] = []
        for number, (request, after_previous) in enumerate(split_requests(task.description), 1):
            intent = parse_intent(request)
            hints = sorted({s.action for s in strategies_for(intent)[0]}) if intent else []
            subtasks.append(
                Subtask(
                    subtask_id=f"s{number}",
                    description=intent.describe() if intent else request,
                    dependencies=[f"s{number - 1}"] if after_previous and number > 1 else [],
                    tool_hints=hints,
                    estimated_cost_tokens=0,
                )
            )
        return SubtaskGraph(task_id=task.task_id, subtasks=subtasks)

    async def plan(self, request: PlanRequest) -> PlanningResult:
        """A plan from the intent's strategies, or a tool-gap report."""
        return plan_subtask(request)

    async def check_plan(self, request: PlanCheckRequest) -> list[str]:
        """Nothing beyond the rule-based layers: the offline planner's plans are its own rules."""
        return []

    async def review(self, request: ReviewRequest) -> ReviewResult:
        """Check the outputs for real and write the answer."""
        # It re-reads files to check the outputs: keep that off the event loop.
        return await asyncio.to_thread(review_execution, request)

    async def synthesize(self, request: SynthesisRequest) -> str:
        """The one answer, or each subtask's answer under its description."""
        if len(request.answers) == 1:
            return request.answers[0].answer
        return "\n\n".join(
            f"## {item.subtask_id}: {item.description} [{item.status}]\n{item.answer}"
            for item in request.answers
        )
