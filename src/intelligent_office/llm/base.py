"""The brain: the decomposer, planner, reviewer and synthesizer the Office's agents consult.

A brain is a plug-in family. The offline brain (deterministic rules, no model) is the
default; LLM-backed brains arrive with the LLM layer; `ScriptedBrain` is the fake tests
script turn by turn. Each request carries everything the brain may use, so a brain
holds no state between calls.
"""

from __future__ import annotations

from typing import Protocol, Self

from pydantic import BaseModel, Field, JsonValue, model_validator

from intelligent_office.memory.base import PastPlan, PlanReuse
from intelligent_office.models import (
    ExecutionResult,
    Plan,
    Review,
    Subtask,
    SubtaskGraph,
    Task,
    ToolGapReport,
)
from intelligent_office.models.guidance import Guidance, PromptChoice
from intelligent_office.tools.base import ToolSpec

__all__ = [
    "Brain",
    "PlanCheckRequest",
    "PlanRequest",
    "PlanningResult",
    "ReviewRequest",
    "ReviewResult",
    "SubtaskAnswer",
    "SynthesisRequest",
]


class PlanRequest(BaseModel):
    """Everything a planner may use to plan one subtask."""

    task: Task
    subtask: Subtask
    iteration: int = Field(ge=1, description="1 for the first plan, 2 after one rejection ...")
    feedback: list[str] = Field(
        default_factory=list,
        description="Rejection reasons and reviews of earlier iterations, oldest first.",
    )
    similar_plans: list[Plan] = Field(
        default_factory=list, description="Past plans for similar subtasks, from memory."
    )
    past_plans: list[PastPlan] = Field(
        default_factory=list,
        description="Similar past successes and failures from memory, with how each went.",
    )
    upstream_answers: dict[str, str] = Field(
        default_factory=dict, description="Answers of the subtasks this one depends on."
    )
    tools: list[ToolSpec] = Field(default_factory=list, description="The tools plans may call.")
    guidance: list[Guidance] = Field(
        default_factory=list, description="Learned guidance for similar requests (`office learn`)."
    )
    prompt: PromptChoice | None = Field(
        default=None, description="The prompt version in effect (`office prompts`); None: built-in."
    )


class PlanningResult(BaseModel):
    """A plan, or a report that the subtask cannot be done with the tools at hand."""

    plan: Plan | None = None
    gap: ToolGapReport | None = None
    reused: PlanReuse | None = None
    """Set when the plan is a remembered one, run again as it is (no planner was asked)."""
    guidance: list[Guidance] = Field(default_factory=list)
    """The learned guidance the plan follows (`office learn`)."""
    prompt_versions: dict[str, str] = Field(default_factory=dict)
    """tier -> the prompt version planned with (`office prompts`)."""

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.plan is None) == (self.gap is None):
            raise ValueError("a planning result holds either a plan or a tool-gap report")
        return self


class PlanCheckRequest(BaseModel):
    """A plan that passed the rule-based checks, for a semantic look before it runs."""

    task: Task
    subtask: Subtask
    plan: Plan
    tools: list[ToolSpec] = Field(default_factory=list)


class ReviewRequest(BaseModel):
    """An execution to judge against the subtask's objective."""

    task: Task
    subtask: Subtask
    plan: Plan
    execution: ExecutionResult
    iteration: int = Field(ge=1)
    workspace: str = Field(description="Absolute path of the task's workspace.")


class ReviewResult(BaseModel):
    """The review, and the subtask's answer when it is approved."""

    review: Review
    answer: str = ""
    details: JsonValue = Field(
        default=None, description="Structured result worth keeping (e.g. the call path)."
    )


class SubtaskAnswer(BaseModel):
    """One finished subtask, for the synthesizer."""

    subtask_id: str
    description: str
    status: str
    answer: str


class SynthesisRequest(BaseModel):
    """The subtasks' answers, to combine into the task's answer."""

    task: Task
    answers: list[SubtaskAnswer]


class Brain(Protocol):
    """Decides how a task is split, planned, judged and answered."""

    @property
    def name(self) -> str:
        """Shown wherever a model name is, e.g. `offline` or `openai:gpt-4o`."""
        ...

    async def decompose(self, task: Task, tools: list[ToolSpec]) -> SubtaskGraph:
        """Split a task into subtasks (one when it is simple)."""
        ...

    async def plan(self, request: PlanRequest) -> PlanningResult:
        """Plan one subtask, or report what is missing."""
        ...

    async def check_plan(self, request: PlanCheckRequest) -> list[str]:
        """Problems that would keep the plan from achieving the subtask; [] when it is sound."""
        ...

    async def review(self, request: ReviewRequest) -> ReviewResult:
        """APPROVE, REVISE, ESCALATE or FAIL an execution, with the answer when approved."""
        ...

    async def synthesize(self, request: SynthesisRequest) -> str:
        """The task's final answer from its subtasks' answers."""
        ...
