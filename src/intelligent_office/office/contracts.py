"""What the Office workflow takes and returns: a task in, an answer and its history out."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, JsonValue

from intelligent_office.models import (
    ExecutionResult,
    Plan,
    Review,
    Subtask,
    SubtaskGraph,
    Task,
    ToolGapReport,
    ValidationReport,
)

__all__ = [
    "DeadLetterCategory",
    "IterationRecord",
    "OfficeInput",
    "OfficeOutput",
    "SubtaskOutcome",
    "SubtaskStatus",
    "TaskStatus",
]


class TaskStatus(StrEnum):
    """How a task ended."""

    COMPLETED = "completed"
    DEAD_LETTERED = "dead_lettered"
    UNSUPPORTED = "unsupported"


class SubtaskStatus(StrEnum):
    """How a subtask ended."""

    COMPLETED = "completed"
    FAILED = "failed"
    UNSUPPORTED = "unsupported"
    SKIPPED = "skipped"


class DeadLetterCategory(StrEnum):
    """Why a task went to the dead-letter queue."""

    VALIDATION = "validation"
    TIMEOUT = "timeout"
    RESOURCE = "resource"
    TRANSIENT = "transient"
    REVIEW = "review"
    POLICY = "policy"
    STALLED = "stalled"
    LOOP = "loop"


class OfficeInput(BaseModel):
    """A task and how hard to try."""

    task: Task
    max_iterations: int = Field(default=3, ge=1, le=20, description="Plans per subtask at most.")
    max_parallel_subtasks: int = Field(default=4, ge=1)
    max_parallel_steps: int = Field(default=8, ge=1)
    approval_timeout_seconds: float = Field(
        default=86400.0, gt=0, description="How long the task waits for a human decision."
    )
    remember: bool = Field(
        default=False,
        description="Keep each finished subtask's plans in plan memory (set when memory is on).",
    )
    signoff: Literal["never", "always"] = Field(
        default="never", description="always: every validated plan waits for a person first."
    )
    signoff_risk_threshold: int | None = Field(
        default=None,
        ge=0,
        le=100,
        description="A plan with a step scoring this or more waits for a person first.",
    )
    max_for_each_items: int = Field(
        default=20, ge=1, le=1000, description="Most items one for_each step runs over."
    )
    loop_repeats: int = Field(
        default=3,
        ge=2,
        le=100,
        description="The same plan, or the same tool call, this many times is a loop: stop.",
    )


class IterationRecord(BaseModel):
    """One turn of plan -> validate -> execute -> review."""

    iteration: int
    plan: Plan | None = None
    validation: ValidationReport | None = None
    execution: ExecutionResult | None = None
    review: Review | None = None
    error: str | None = Field(default=None, description="An agent that failed outright.")


class SubtaskOutcome(BaseModel):
    """How one subtask ended, with every iteration."""

    subtask: Subtask
    status: SubtaskStatus
    answer: str = ""
    details: JsonValue = None
    iterations: list[IterationRecord] = Field(default_factory=list)
    gap: ToolGapReport | None = None
    failure_category: DeadLetterCategory | None = None
    failure_reason: str | None = None


class OfficeOutput(BaseModel):
    """The task's answer, or why there is none, with the whole history."""

    task_id: str
    status: TaskStatus
    answer: str
    graph: SubtaskGraph | None = None
    subtasks: dict[str, SubtaskOutcome] = Field(default_factory=dict)
    gaps: list[ToolGapReport] = Field(default_factory=list)
    dead_letter_id: str | None = None
    failure_category: DeadLetterCategory | None = None
    failure_reason: str | None = None
