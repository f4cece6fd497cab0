"""Plain records the repositories hand back (table classes never leave the store)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

__all__ = [
    "ApiKeyRecord",
    "ApprovalRecord",
    "CostGrouping",
    "CostRow",
    "DeadLetterRecord",
    "JournalEntry",
    "LLMCallRecord",
    "PendingEvent",
    "RunRecord",
    "RunStatus",
    "Spend",
    "TaskRecord",
]

CostGrouping = Literal["model", "tier", "day", "agent", "task"]
"""What `office costs --by` groups the ledger by."""


class RunStatus(StrEnum):
    """Where a run is in its life."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        """Whether the run will never run again."""
        return self in (RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED)


@dataclass(frozen=True)
class TaskRecord:
    """A stored task."""

    task_id: str
    user_id: str
    description: str
    priority: int
    status: str
    idempotency_key: str | None
    body: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    request_hash: str | None = None
    """SHA-256 of the API request that created it, to tell a reused idempotency key."""
    event_seq: int = 0
    """The sequence number of its newest event (numbers may have gaps)."""
    trace_id: str | None = None
    """Its OpenTelemetry trace id (32 hex digits), once a run has started."""


@dataclass(frozen=True)
class RunRecord:
    """A stored run."""

    run_id: str
    task_id: str
    workflow: str
    input: dict[str, Any]
    status: RunStatus
    priority: int
    result: dict[str, Any] | None
    error: str | None
    lease_owner: str | None
    lease_expires_at: datetime | None
    starts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    cancel_requested: bool = False
    """Someone asked to cancel the run; its worker stops it at the next check."""


@dataclass(frozen=True, init=False)
class JournalEntry:
    """An activity's recorded outcome: its output, or its final error."""

    key: str
    activity: str
    ok: bool
    output: dict[str, Any] | None = None
    error_type: str | None = None
    error: str | None = None
    retryable: bool = False
    recorded_at: datetime | None = None
    input: str | None = None
    """What the step was given, as compact JSON text (`runtime.step_input`); None: unknown."""
    started_at: datetime | None = None
    """When the step started (measured); None on steps recorded before it was kept."""

    def __init__(
        self,
        key: str,
        activity: str,
        ok: bool,
        output: dict[str, Any] | None = None,
        error_type: str | None = None,
        error: str | None = None,
        retryable: bool = False,
        recorded_at: datetime | None = None,
        input: str | None = None,
        started_at: datetime | None = None,
    ) -> None:
        # Written into the instance's dict: a frozen dataclass's own __init__ calls
        # object.__setattr__ per field, twice the cost, and the local runtime makes one
        # entry per step (tests/store/test_records.py holds this to the fields).
        fields = self.__dict__
        fields["key"] = key
        fields["activity"] = activity
        fields["ok"] = ok
        fields["output"] = output
        fields["error_type"] = error_type
        fields["error"] = error
        fields["retryable"] = retryable
        fields["recorded_at"] = recorded_at
        fields["input"] = input
        fields["started_at"] = started_at


@dataclass(frozen=True)
class RunOutcome:
    """How a run ended, recorded in the same commit as its last events."""

    status: RunStatus
    result: dict[str, Any] | None = None
    error: str | None = None


@dataclass(frozen=True, init=False)
class PendingEvent:
    """An event waiting to be written; its sequence number is assigned on write."""

    task_id: str
    run_id: str | None
    type: str
    time: datetime
    dedup_key: str
    payload: dict[str, Any] = field(default_factory=dict)

    def __init__(
        self,
        task_id: str,
        run_id: str | None,
        type: str,
        time: datetime,
        dedup_key: str,
        payload: dict[str, Any] | None = None,
    ) -> None:
        # As JournalEntry's: two per step on the local runtime. None: a new empty payload.
        fields = self.__dict__
        fields["task_id"] = task_id
        fields["run_id"] = run_id
        fields["type"] = type
        fields["time"] = time
        fields["dedup_key"] = dedup_key
        fields["payload"] = {} if payload is None else payload


@dataclass(frozen=True)
class DeadLetterRecord:
    """A task that could not be finished."""

    id: str
    task_id: str
    run_id: str | None
    category: str
    reason: str
    history: dict[str, Any]
    created_at: datetime
    retried_at: datetime | None
    retry_task_id: str | None


@dataclass(frozen=True)
class LLMCallRecord:
    """One LLM call as billed: who made it, with which prompt and model, and what it cost.

    A call the cache answered is recorded with `cache_hit` set and whatever it cost (0).
    """

    call_id: str
    task_id: str | None
    run_id: str | None
    subtask_id: str | None
    agent: str
    tier: str
    provider: str
    model: str
    prompt_id: str
    prompt_version: int
    input_tokens: int
    output_tokens: int
    cost_usd: float
    cache_hit: bool
    ok: bool
    error: str | None
    duration_seconds: float
    created_at: datetime


@dataclass(frozen=True)
class Spend:
    """What a task (or one of its agents) has spent on LLM calls so far."""

    cost_usd: float
    tokens: int
    calls: int


@dataclass(frozen=True)
class CostRow:
    """LLM calls summed under one key (a model, tier, day, agent or task)."""

    key: str
    calls: int
    cache_hits: int
    input_tokens: int
    output_tokens: int
    cost_usd: float


@dataclass(frozen=True)
class ApprovalRecord:
    """A human decision a run asked for: pending, approved, denied or expired."""

    id: str
    task_id: str
    run_id: str | None
    kind: str
    subject: str
    detail: dict[str, Any]
    status: str
    requested_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    comment: str | None
    response: dict[str, Any] | None = None


@dataclass(frozen=True)
class AuditRecord:
    """One audit entry."""

    id: int
    time: datetime
    task_id: str | None
    run_id: str | None
    actor: str
    action: str
    subject: str
    rule: str | None
    reason: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class ToolGapRecord:
    """A stored tool-gap report."""

    id: int
    task_id: str
    subtask_id: str | None
    created_at: datetime
    report: dict[str, Any]


@dataclass(frozen=True)
class ApiKeyRecord:
    """An API key as stored: never the key itself."""

    id: str
    prefix: str
    user_id: str
    role: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
