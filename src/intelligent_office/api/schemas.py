"""Request and response bodies of the REST API (distinct from the store's records).

Named as the FastAPI template does: `XCreate` for what a client sends, `XPublic` for what
it gets back. Every model carries an example so /docs shows a working request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    StrictBool,
    model_validator,
)

from intelligent_office.limits import MAX_TASK_DESCRIPTION_CHARS
from intelligent_office.models import Criterion, Event
from intelligent_office.models._fields import NOT_BLANK, UtcDatetime

__all__ = [
    "ApprovalDecision",
    "ApprovalPublic",
    "CancelPublic",
    "CostPublic",
    "DeadLetterPublic",
    "DeadLetterRetry",
    "ErrorBody",
    "ErrorItem",
    "EventPage",
    "FeedbackCreate",
    "FeedbackPublic",
    "SubmittedTask",
    "SubtaskPublic",
    "TaskDetail",
    "TaskLinks",
    "TaskPage",
    "TaskPublic",
    "TaskRequest",
    "TaskStatusPublic",
    "ToolPublic",
]

TASK_ID = "3f0c9d6e2b8a4c1d9e7f5a3b1c0d2e4f"
RUN_ID = "9a8b7c6d5e4f30211f2e3d4c5b6a7988"


def _number_only(value: Any) -> Any:
    # JSON Schema's integer admits 3.0, so strict mode is too strict; lax mode alone would
    # also take true and "3", which the document forbids.
    if isinstance(value, bool | str):
        raise ValueError("must be a JSON number")
    return value


# Constraints first, so they stay on the integer schema (and in the document).
Priority = Annotated[int, Field(ge=0, le=10), BeforeValidator(_number_only)]
Tokens = Annotated[int, Field(ge=1, le=10**12), BeforeValidator(_number_only)]
Rating = Annotated[int, Field(ge=1, le=5), BeforeValidator(_number_only)]
Cost = Annotated[float, Field(ge=0, le=1e6), BeforeValidator(_number_only)]


def _example(**example: Any) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [example]})


class ErrorItem(BaseModel):
    """One problem of a request: where it is, and what is wrong there."""

    loc: list[str | int] = Field(
        description='Where: the part of the request, then the path inside it, e.g. ["body",'
        ' "description"] or ["query", "limit"]. Long keys are cut to 80 characters.'
    )
    msg: str = Field(description="What is wrong there; quotes at most 80 characters of input.")


class ErrorBody(BaseModel):
    """Every error answer of the API (except /v1, which answers as OpenAI does)."""

    model_config = _example(detail="no task 3f0c9d6e2b8a4c1d9e7f5a3b1c0d2e4f", errors=[])

    detail: str = Field(description="What was wrong and what to do, as one readable sentence.")
    errors: list[ErrorItem] = Field(
        default_factory=list,
        description="Each problem of an invalid request (422), at most 10; empty otherwise.",
    )


def _time_text(value: object) -> object:
    """A time is ISO 8601 text: a number is refused (pydantic would take it as Unix time)."""
    if isinstance(value, int | float):
        raise ValueError("must be an ISO 8601 time such as 2026-12-31T18:00:00Z, not a number")
    return value


class TaskRequest(BaseModel):
    """A task to submit: what to do, where, and within which limits."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "description": "Trace the call sequence from main() to process_data()"
                    " in sample_app",
                    "priority": 5,
                    "workspace": "sample_app",
                    "allowed_tools": None,
                    "max_cost": 0.5,
                    "max_tokens": None,
                }
            ]
        },
    )

    description: str = Field(
        min_length=1,
        max_length=MAX_TASK_DESCRIPTION_CHARS,
        pattern=NOT_BLANK,
        description="What should be done, in plain language.",
    )
    priority: Priority = Field(default=5, description="Queue priority, 0 (low) to 10.")
    workspace: str | None = Field(
        default=None,
        max_length=4096,
        description=(
            "Directory the task's tools are confined to, inside your own directory"
            " `<root>/<user id>/` (relative paths start there; absolute ones must lie in it),"
            " or `@name[/sub/dir]` for a shared workspace you are listed in; default: your"
            " own directory. Another user's directory is refused (400)."
        ),
    )
    allowed_tools: list[str] | None = Field(
        default=None,
        max_length=100,
        description="Only these tools may run; null allows every tool, [] none.",
    )
    max_cost: Cost | None = Field(
        default=None, description="Most the task may spend on models, in USD."
    )
    max_tokens: Tokens | None = Field(
        default=None, description="Most model tokens the task may use."
    )
    signoff: StrictBool = Field(
        default=False,
        description="Each validated plan waits for a person's sign-off (an approval of kind"
        " plan) before it runs.",
    )
    criteria: list[Criterion] = Field(
        default_factory=list,
        max_length=20,
        description=(
            'Acceptance criteria: {"kind": "text", "value": "mentions the author"} for the'
            ' reviewer, or the machine checks "regex" (the answer matches), "file" (exists'
            ' in the workspace) and "command" (exits 0 in the sandbox). A failed check asks'
            " for a revision."
        ),
    )
    max_duration: float | None = Field(
        default=None,
        gt=0,
        le=366 * 86400,
        allow_inf_nan=False,
        description="Most seconds the task may take from when it starts; then it stops"
        " with a `timeout` dead letter.",
    )
    deadline: Annotated[UtcDatetime, BeforeValidator(_time_text)] | None = Field(
        default=None,
        description="When the task must be done by (ISO 8601; without a zone, UTC); past it"
        " the task stops with a `timeout` dead letter.",
    )


class TaskLinks(BaseModel):
    """Where to follow a task."""

    self: str = Field(description="The task: GET.")
    status: str = Field(description="Its status, small and fast: GET.")
    events: str = Field(description="Its events as Server-Sent Events: GET.")
    logs: str = Field(description="Its stored events, paginated: GET.")
    cancel: str = Field(description="Cancel it: POST.")

    @classmethod
    def of(cls, task_id: str) -> TaskLinks:
        """The links of one task."""
        base = f"/tasks/{task_id}"
        return cls(
            self=base,
            status=f"{base}/status",
            events=f"{base}/events",
            logs=f"{base}/logs",
            cancel=f"{base}/cancel",
        )


class TaskPublic(BaseModel):
    """A task as listed."""

    model_config = _example(
        task_id=TASK_ID,
        user_id="alice",
        description="Trace the call sequence from main() to process_data() in sample_app",
        status="running",
        priority=5,
        workspace="/home/office/workspace/sample_app",
        created_at="2026-11-21T08:00:00Z",
        updated_at="2026-11-21T08:00:02Z",
        links=TaskLinks.of(TASK_ID).model_dump(),
    )

    task_id: str
    user_id: str
    description: str
    status: str = Field(
        description="queued, running, completed, unsupported, dead_lettered, failed or cancelled."
    )
    priority: int
    workspace: str | None = Field(default=None, description="The directory its tools work in.")
    created_at: datetime
    updated_at: datetime
    links: TaskLinks


class SubmittedTask(TaskPublic):
    """A submitted task: its first run, and whether this request created it."""

    model_config = _example(
        task_id=TASK_ID,
        run_id=RUN_ID,
        created=True,
        user_id="alice",
        description="Trace the call sequence from main() to process_data() in sample_app",
        status="queued",
        priority=5,
        workspace="/home/office/workspace/sample_app",
        created_at="2026-11-21T08:00:00Z",
        updated_at="2026-11-21T08:00:00Z",
        links=TaskLinks.of(TASK_ID).model_dump(),
    )

    run_id: str = Field(description="The run executing it.")
    created: bool = Field(
        description="False when an earlier request with the same Idempotency-Key created it."
    )


class TaskPage(BaseModel):
    """One page of tasks, newest first."""

    items: list[TaskPublic]
    limit: int
    offset: int
    next_offset: int | None = Field(description="Pass as `offset` for the next page; null: last.")


class CostPublic(BaseModel):
    """What a task spent on model calls."""

    usd: float
    tokens: int
    calls: int


class SubtaskPublic(BaseModel):
    """One subtask of a task and how far it got."""

    subtask_id: str
    description: str
    dependencies: list[str] = Field(default_factory=list)
    status: str = Field(description="pending, running, completed, failed, unsupported, skipped.")


class TaskStatusPublic(BaseModel):
    """The small, fast view of a task polled by clients."""

    model_config = _example(
        task_id=TASK_ID,
        status="running",
        progress=0.45,
        current_step="subtask s1: executing the plan",
        updated_at="2026-11-21T08:00:02Z",
    )

    task_id: str
    status: str
    progress: float = Field(ge=0, le=1, description="0 at submission, 1 when finished.")
    current_step: str | None = Field(description="What the task is doing now, in words.")
    updated_at: datetime


class TaskDetail(TaskPublic):
    """A task with its progress, subtasks, answer and cost."""

    model_config = _example(
        task_id=TASK_ID,
        user_id="alice",
        description="Trace the call sequence from main() to process_data() in sample_app",
        status="completed",
        priority=5,
        workspace="/home/office/workspace/sample_app",
        created_at="2026-11-21T08:00:00Z",
        updated_at="2026-11-21T08:00:04Z",
        links=TaskLinks.of(TASK_ID).model_dump(),
        run_id=RUN_ID,
        run_status="completed",
        progress=1.0,
        current_step="completed",
        subtasks=[
            {
                "subtask_id": "s1",
                "description": "Trace the calls",
                "dependencies": [],
                "status": "completed",
            }
        ],
        answer="main() -> load() -> process_data()",
        error=None,
        dead_letter_id=None,
        cost={"usd": 0.0, "tokens": 0, "calls": 0},
    )

    run_id: str | None = Field(description="The newest run of the task.")
    run_status: str | None = Field(description="That run's status.")
    progress: float = Field(ge=0, le=1)
    current_step: str | None
    subtasks: list[SubtaskPublic]
    answer: str | None = Field(description="The answer once the task has finished.")
    error: str | None = Field(description="Why the run failed, if it did.")
    dead_letter_id: str | None = Field(description="Its dead letter, if it was dead-lettered.")
    cost: CostPublic


class EventPage(BaseModel):
    """Stored events of a task in order, after a sequence number."""

    items: list[Event]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null when there are no more (yet)."
    )


class CancelPublic(BaseModel):
    """The answer to a cancel request."""

    model_config = _example(task_id=TASK_ID, status="cancelled", cancel_requested=True)

    task_id: str
    status: str = Field(description="`cancelled` at once for a queued task, else still running.")
    cancel_requested: bool = Field(description="The worker will stop the run at its next check.")


class FeedbackCreate(BaseModel):
    """A rating and/or a comment on a task's answer."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"rating": 5, "comment": "Exactly the call chain."}],
            # The validator's rule, in the document: a rating, or a comment with a word.
            "anyOf": [
                {"required": ["rating"], "properties": {"rating": {"type": "integer"}}},
                {"required": ["comment"], "properties": {"comment": {"pattern": NOT_BLANK}}},
            ],
        },
    )

    rating: Rating | None = Field(default=None, description="1 (bad) to 5 (great).")
    comment: str = Field(default="", max_length=10_000)

    @model_validator(mode="after")
    def _something(self) -> FeedbackCreate:
        if self.rating is None and not self.comment.strip():
            raise ValueError("give a rating (1..5), a comment, or both")
        return self


class FeedbackPublic(BaseModel):
    """Stored feedback."""

    model_config = _example(
        id=1,
        task_id=TASK_ID,
        user_id="alice",
        rating=5,
        comment="Exactly the call chain.",
        created_at="2026-11-21T08:01:00Z",
    )

    id: int
    task_id: str
    user_id: str
    rating: int | None
    comment: str
    created_at: datetime


class ApprovalPublic(BaseModel):
    """A human decision a task waits for, or one already made."""

    model_config = _example(
        id="a1b2c3",
        task_id=TASK_ID,
        run_id=RUN_ID,
        kind="tool",
        subject="write_file notes.txt",
        detail={"tool": "write_file", "risk": "high"},
        status="pending",
        requested_at="2026-11-21T08:00:01Z",
        decided_at=None,
        decided_by=None,
        comment=None,
    )

    id: str
    task_id: str
    run_id: str | None
    kind: str
    subject: str
    detail: dict[str, JsonValue]
    status: str = Field(description="pending, approved, denied, expired or revised.")
    requested_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    comment: str | None
    response: dict[str, JsonValue] | None = Field(
        default=None, description="What the person answered besides the decision: plan edits."
    )


class ApprovalDecision(BaseModel):
    """Why a person approves or denies; approving a plan may edit its steps' inputs."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"comment": "fine for the demo"},
                {"comment": "write it under out/", "edits": {"s1": {"path": "out/report.md"}}},
            ]
        },
    )

    comment: str | None = Field(default=None, max_length=10_000)
    edits: dict[str, dict[str, JsonValue]] | None = Field(
        default=None,
        max_length=200,
        description="Approving a plan sign-off: step id -> the step's new input object.",
    )


class DeadLetterPublic(BaseModel):
    """A task that could not be finished."""

    model_config = _example(
        id="d1e2f3",
        task_id=TASK_ID,
        run_id=RUN_ID,
        category="review",
        reason="subtask s1: the reviewer failed the answer",
        created_at="2026-11-21T08:00:09Z",
        retried_at=None,
        retry_task_id=None,
    )

    id: str
    task_id: str
    run_id: str | None
    category: str = Field(description="validation, timeout, resource, transient, review or policy.")
    reason: str
    created_at: datetime
    retried_at: datetime | None
    retry_task_id: str | None


class DeadLetterRetry(BaseModel):
    """How to resubmit a dead letter."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"description": "Trace main() to process_data() only", "again": False}]
        },
    )

    description: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_TASK_DESCRIPTION_CHARS,
        pattern=NOT_BLANK,
        description="A new text.",
    )
    again: StrictBool = Field(default=False, description="Retry even if it was retried before.")


class ToolPublic(BaseModel):
    """A tool the planners may use."""

    model_config = _example(
        name="trace_calls",
        description="Trace the call sequence between two functions in a code tree.",
        risk="low",
        idempotent=True,
        parameters={"type": "object", "properties": {"start": {"type": "string"}}},
    )

    name: str
    description: str
    risk: str = Field(description="low, medium or high: high-risk calls wait for approval.")
    idempotent: bool
    parameters: dict[str, JsonValue] = Field(description="JSON Schema of the arguments.")
