"""Plan memory as the Office sees it: what to recall before planning, what to keep after.

The planner agent asks `recall` for the most similar past successes and failures (and a
plan good enough to reuse as it is); when a subtask finishes, `remember` keeps what was
tried and how it went. `NoMemory` remembers nothing, for library use and unit tests.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from intelligent_office.models import Plan, Review, Subtask, Task

__all__ = [
    "NoMemory",
    "PastPlan",
    "PlanAttempt",
    "PlanRecall",
    "PlanRetriever",
    "PlanReuse",
    "SubtaskMemory",
]


class PastPlan(BaseModel):
    """A plan tried for a similar subtask before, with how it went."""

    memory_id: str = Field(description="`plan:<id>` of the memory record.")
    task_id: str
    request: str = Field(description="The subtask the plan was for.")
    outcome: Literal["success", "failure"]
    similarity: float = Field(description="Cosine similarity of the two requests, 0..1.")
    plan: Plan
    review: str = Field(default="", description="The review's or the validator's words on it.")
    rating: float | None = Field(default=None, description="Mean user rating 1..5, if rated.")
    reuse_score: float = Field(
        description="Successes raise it, failures and poor ratings lower it (0..1)."
    )
    runs: int = Field(default=1, description="How many times this very plan has run.")


class PlanReuse(BaseModel):
    """Where a reused plan came from (the `plan.reused` event says the same)."""

    memory_id: str
    task_id: str
    plan_id: str
    similarity: float
    reuse_score: float


class PlanRecall(BaseModel):
    """What memory offers the planner for one subtask."""

    successes: list[PastPlan] = Field(default_factory=list)
    failures: list[PastPlan] = Field(default_factory=list)
    reusable: PastPlan | None = Field(
        default=None, description="A success close enough, sound enough, to run again as is."
    )


class PlanAttempt(BaseModel):
    """One plan a subtask tried, and how that iteration ended."""

    plan: Plan
    outcome: Literal["success", "failure"]
    review: Review | None = None
    reasons: list[str] = Field(
        default_factory=list, description="Why it failed: rejections, refusals, review feedback."
    )


class SubtaskMemory(BaseModel):
    """A finished subtask, to remember (the plan-memory activity's input)."""

    task: Task
    subtask: Subtask
    status: str = Field(description="completed or failed.")
    attempts: list[PlanAttempt]
    answer: str = ""
    failure_reason: str | None = None
    started_at: datetime
    reused: PlanReuse | None = None


class PlanRetriever(Protocol):
    """Finds plans of past subtasks that resemble this one, and keeps new ones."""

    async def recall(self, task: Task, subtask: Subtask, *, tools: Collection[str]) -> PlanRecall:
        """Similar successes and failures, most similar first; `tools` are those that exist."""
        ...

    async def remember(self, record: SubtaskMemory) -> None:
        """Keep a finished subtask's plans and outcome."""
        ...


class NoMemory:
    """The retriever of an Office without memory: it remembers nothing."""

    async def recall(self, task: Task, subtask: Subtask, *, tools: Collection[str]) -> PlanRecall:
        """Always nothing."""
        return PlanRecall()

    async def remember(self, record: SubtaskMemory) -> None:
        """Keeps nothing."""
