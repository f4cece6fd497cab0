"""SQLAlchemy ORM classes of the store's tables, for the repositories that load rows as objects.

The tables themselves are Core `Table`s in `store.schema`; each class here maps onto one
(`__table__`), so a run's path, which writes with Core statements, never imports the ORM.
"""

# No `from __future__ import annotations` here, unlike the rest of the package: SQLAlchemy
# reads each `Mapped[...]` annotation when the class is made, and a string one it must first
# eval().

from datetime import datetime
from typing import Any

from sqlalchemy.orm import DeclarativeBase, Mapped

from intelligent_office.store.schema import (
    UTCDateTime,
    agents_table,
    api_keys_table,
    approvals_table,
    audit_log_table,
    dead_letters_table,
    embedding_cache_table,
    eval_cases_table,
    eval_runs_table,
    events_table,
    feedback_table,
    journal_table,
    learning_guidance_table,
    llm_cache_table,
    llm_calls_table,
    memory_documents_table,
    memory_items_table,
    metadata,
    payload_blobs_table,
    prompt_versions_table,
    runs_table,
    signals_table,
    tasks_table,
    tool_drafts_table,
    tool_gaps_table,
    webhook_deliveries_table,
    webhooks_table,
)

__all__ = [
    "AgentRow",
    "GuidanceRow",
    "PromptVersionRow",
    "ToolDraftRow",
    "Base",
    "UTCDateTime",
    "ApprovalRow",
    "AuditRow",
    "ToolGapRow",
    "ApiKeyRow",
    "FeedbackRow",
    "WebhookRow",
    "WebhookDeliveryRow",
    "DeadLetterRow",
    "EmbeddingCacheRow",
    "EvalCaseRow",
    "EvalRunRow",
    "EventRow",
    "JournalRow",
    "LLMCacheRow",
    "LLMCallRow",
    "MemoryDocumentRow",
    "MemoryItemRow",
    "PayloadBlobRow",
    "RunRow",
    "SignalRow",
    "TaskRow",
]


class Base(DeclarativeBase):
    """Declarative base of every ORM class; its metadata is `store.schema.metadata`."""

    metadata = metadata


class TaskRow(Base):
    """A task as submitted; `event_seq` hands out its events' sequence numbers.

    An idempotency key is unique per tenant: the pair (user_id, idempotency_key), two
    columns, so no spelling of one tenant's key can name another's task.
    """

    __table__ = tasks_table

    task_id: Mapped[str]
    user_id: Mapped[str]
    description: Mapped[str]
    priority: Mapped[int]
    status: Mapped[str]
    idempotency_key: Mapped[str | None]
    """The key as the tenant sent it (no user prefix); see the table's unique pair."""
    body: Mapped[dict[str, Any]]
    event_seq: Mapped[int]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    request_hash: Mapped[str | None]
    """SHA-256 of the submitted request, so a reused idempotency key with a new body is told."""
    trace_id: Mapped[str | None]
    """The task's OpenTelemetry trace id (32 hex digits), set when its first run starts."""


class RunRow(Base):
    """One execution of a workflow; leased by one worker at a time."""

    __table__ = runs_table

    run_id: Mapped[str]
    task_id: Mapped[str]
    workflow: Mapped[str]
    input: Mapped[dict[str, Any]]
    status: Mapped[str]
    priority: Mapped[int]
    result: Mapped[dict[str, Any] | None]
    error: Mapped[str | None]
    lease_owner: Mapped[str | None]
    lease_expires_at: Mapped[datetime | None]
    starts: Mapped[int]
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    cancel_requested: Mapped[bool]
    """Its server default is the one migration 0004 gave the column for the rows it found."""


class JournalRow(Base):
    """An activity's result or final error, by (run_id, key): replayed after a crash."""

    __table__ = journal_table

    run_id: Mapped[str]
    key: Mapped[str]
    activity: Mapped[str]
    ok: Mapped[bool]
    output: Mapped[dict[str, Any] | None]
    error_type: Mapped[str | None]
    error: Mapped[str | None]
    retryable: Mapped[bool]
    recorded_at: Mapped[datetime]
    # What the step saw: its input as compact JSON text (capped), and when it started.
    input: Mapped[str | None]
    started_at: Mapped[datetime | None]


class SignalRow(Base):
    """A signal sent to a run; the first one under a name wins."""

    __table__ = signals_table

    id: Mapped[int]
    run_id: Mapped[str]
    name: Mapped[str]
    payload: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]


class EventRow(Base):
    """An event with its strictly increasing sequence number within the task."""

    __table__ = events_table

    id: Mapped[int]
    task_id: Mapped[str]
    run_id: Mapped[str | None]
    seq: Mapped[int]
    type: Mapped[str]
    time: Mapped[datetime]
    payload: Mapped[dict[str, Any]]
    dedup_key: Mapped[str]


class DeadLetterRow(Base):
    """A task that could not be finished, with what is needed to inspect and resubmit it."""

    __table__ = dead_letters_table

    id: Mapped[str]
    task_id: Mapped[str]
    run_id: Mapped[str | None]
    category: Mapped[str]
    reason: Mapped[str]
    history: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    retried_at: Mapped[datetime | None]
    retry_task_id: Mapped[str | None]


class LLMCallRow(Base):
    """One LLM call as billed; `task_id` has no foreign key so calls outside a task count too."""

    __table__ = llm_calls_table

    call_id: Mapped[str]
    task_id: Mapped[str | None]
    run_id: Mapped[str | None]
    subtask_id: Mapped[str | None]
    agent: Mapped[str]
    tier: Mapped[str]
    provider: Mapped[str]
    model: Mapped[str]
    prompt_id: Mapped[str]
    prompt_version: Mapped[int]
    input_tokens: Mapped[int]
    output_tokens: Mapped[int]
    cost_usd: Mapped[float]
    cache_hit: Mapped[bool]
    ok: Mapped[bool]
    error: Mapped[str | None]
    duration_seconds: Mapped[float]
    created_at: Mapped[datetime]


class LLMCacheRow(Base):
    """A cached LLM response by the sha256 of its request, kept until `expires_at`."""

    __table__ = llm_cache_table

    key: Mapped[str]
    model: Mapped[str]
    value: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class ApprovalRow(Base):
    """A human decision a run waits for (over budget, a risky tool): pending until decided."""

    __table__ = approvals_table

    id: Mapped[str]
    task_id: Mapped[str]
    run_id: Mapped[str | None]
    kind: Mapped[str]
    subject: Mapped[str]
    detail: Mapped[dict[str, Any]]
    status: Mapped[str]
    requested_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None]
    comment: Mapped[str | None]
    response: Mapped[dict[str, Any] | None]
    """What the person answered beyond yes or no: edited step inputs, revision feedback."""


class AuditRow(Base):
    """One decision about a tool call or an approval: who, what, when, why, which rule.

    Append-only: the migration adds triggers that refuse UPDATE and DELETE.
    """

    __table__ = audit_log_table

    id: Mapped[int]
    time: Mapped[datetime]
    task_id: Mapped[str | None]
    run_id: Mapped[str | None]
    actor: Mapped[str]
    action: Mapped[str]
    subject: Mapped[str]
    rule: Mapped[str | None]
    reason: Mapped[str]
    detail: Mapped[dict[str, Any]]


class ToolGapRow(Base):
    """A machine-readable report of a capability a task was missing."""

    __table__ = tool_gaps_table

    id: Mapped[int]
    task_id: Mapped[str]
    subtask_id: Mapped[str | None]
    created_at: Mapped[datetime]
    report: Mapped[dict[str, Any]]


class ApiKeyRow(Base):
    """An API key: only its SHA-256 is stored; the key itself is shown once, at creation."""

    __table__ = api_keys_table

    id: Mapped[str]
    key_hash: Mapped[str]
    prefix: Mapped[str]
    user_id: Mapped[str]
    role: Mapped[str]
    name: Mapped[str]
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class FeedbackRow(Base):
    """A person's rating of a task's answer (1..5) and comment."""

    __table__ = feedback_table

    id: Mapped[int]
    task_id: Mapped[str]
    user_id: Mapped[str]
    rating: Mapped[int | None]
    comment: Mapped[str]
    created_at: Mapped[datetime]


class WebhookRow(Base):
    """Where to POST a user's (or one task's) events, signed with the webhook's secret."""

    __table__ = webhooks_table

    id: Mapped[str]
    user_id: Mapped[str]
    task_id: Mapped[str | None]
    url: Mapped[str]
    secret: Mapped[str]
    event_types: Mapped[list[str]]
    """Event types delivered; empty means every type."""
    created_at: Mapped[datetime]
    active: Mapped[bool]
    last_event_id: Mapped[int]
    """The id of the newest event already queued for delivery (the dispatcher's cursor)."""


class WebhookDeliveryRow(Base):
    """One event for one webhook: pending until delivered or out of attempts."""

    __table__ = webhook_deliveries_table

    id: Mapped[int]
    webhook_id: Mapped[str]
    event_id: Mapped[int]
    task_id: Mapped[str]
    event_type: Mapped[str]
    status: Mapped[str]
    """pending, delivered or failed."""
    attempts: Mapped[int]
    next_attempt_at: Mapped[datetime]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None]
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class PayloadBlobRow(Base):
    """A large Temporal payload kept here instead of in Temporal's history (claim check).

    Keyed by the SHA-256 of its bytes, so storing the same payload twice is one row.
    """

    __table__ = payload_blobs_table

    digest: Mapped[str]
    data: Mapped[bytes]
    size: Mapped[int]
    created_at: Mapped[datetime]


class MemoryItemRow(Base):
    """One thing the memory can find: a plan record, a document chunk or a piece of feedback.

    `text` is what is embedded and keyword-indexed; the vectors live beside it in a
    per-embedder vector table (sqlite-vec or pgvector), created when memory first runs.
    """

    __table__ = memory_items_table

    id: Mapped[int]
    tenant: Mapped[str]
    kind: Mapped[str]
    """plan, document or feedback."""
    source: Mapped[str]
    """Where it came from: a file's path, `task/<task_id>/<subtask_id>`, `feedback/<id>`."""
    position: Mapped[int]
    """The chunk's index within its source (0 for a whole record)."""
    location: Mapped[dict[str, Any]]
    """Where in the source: lines, page, characters."""
    title: Mapped[str]
    text: Mapped[str]
    fingerprint: Mapped[str | None]
    """A plan record's steps, hashed: every run of the same plan shares it (its reuse score)."""
    task_id: Mapped[str | None]
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class MemoryDocumentRow(Base):
    """An ingested file: its content hash tells an unchanged file from a changed one."""

    __table__ = memory_documents_table

    id: Mapped[int]
    tenant: Mapped[str]
    path: Mapped[str]
    content_hash: Mapped[str]
    size: Mapped[int]
    chunks: Mapped[int]
    ingested_at: Mapped[datetime]


class EmbeddingCacheRow(Base):
    """An embedding by the SHA-256 of (embedder, text): the same text is embedded once."""

    __table__ = embedding_cache_table

    key: Mapped[str]
    model: Mapped[str]
    dimensions: Mapped[int]
    vector: Mapped[bytes]
    """float32, little-endian."""
    created_at: Mapped[datetime]


class AgentRow(Base):
    """An agent created over the HTTP API from an archetype, with its execution counts."""

    __table__ = agents_table

    id: Mapped[str]
    user_id: Mapped[str]
    name: Mapped[str]
    archetype: Mapped[str]
    spec: Mapped[dict[str, Any]]
    executions: Mapped[int]
    successes: Mapped[int]
    last_state: Mapped[str | None]
    created_at: Mapped[datetime]
    last_run_at: Mapped[datetime | None]


class EvalRunRow(Base):
    """One `office eval` run of a suite: when, with which brain, and how many cases passed."""

    __table__ = eval_runs_table

    id: Mapped[str]
    suite: Mapped[str]
    """The suite's name (its file's stem unless the suite names itself)."""
    suite_path: Mapped[str]
    brain: Mapped[str]
    cases_total: Mapped[int]
    cases_passed: Mapped[int]
    seconds: Mapped[float]
    summary: Mapped[dict[str, Any]]
    """Pass counts by capability, the filters used, tokens and cost in all."""
    started_at: Mapped[datetime]


class EvalCaseRow(Base):
    """One case of an eval run: passed or not, why, and what it took."""

    __table__ = eval_cases_table

    run_id: Mapped[str]
    case_id: Mapped[str]
    capability: Mapped[str]
    passed: Mapped[bool]
    task_id: Mapped[str | None]
    status: Mapped[str]
    seconds: Mapped[float]
    iterations: Mapped[int]
    tokens: Mapped[int]
    cost_usd: Mapped[float]
    brain: Mapped[str]
    checks: Mapped[dict[str, Any]]
    """{"results": [{"check", "passed", "detail"}], "tools": [...], "error": ...}."""


class GuidanceRow(Base):
    """Planner guidance learned from a cause of failure (`office learn`)."""

    __table__ = learning_guidance_table

    id: Mapped[str]
    cause: Mapped[str]
    """The cause's key: category | intent | plan shape | error pattern."""
    text: Mapped[str]
    intent: Mapped[str | None]
    tool: Mapped[str | None]
    adjustment: Mapped[dict[str, Any]]
    """What the offline planner does about it: {"kind": ..., ...}; kind "note" is text only."""
    examples: Mapped[list[Any]]
    """Task texts of the failures it came from: retrieval compares new tasks with them."""
    evidence: Mapped[dict[str, Any]]
    status: Mapped[str]
    uses: Mapped[int]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PromptVersionRow(Base):
    """One version of a tier's prompt (for the offline brain: its guidance set)."""

    __table__ = prompt_versions_table

    id: Mapped[str]
    tier: Mapped[str]
    version: Mapped[int]
    text: Mapped[str]
    model: Mapped[str | None]
    parent_id: Mapped[str | None]
    status: Mapped[str]
    """candidate, current or retired."""
    evaluation: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class ToolDraftRow(Base):
    """A tool drafted from a tool-gap report, as an MCP server, until it is registered."""

    __table__ = tool_drafts_table

    id: Mapped[str]
    gap_id: Mapped[int]
    name: Mapped[str]
    shape: Mapped[str]
    risk: Mapped[str]
    status: Mapped[str]
    spec: Mapped[dict[str, Any]]
    """Schema, files, the MCP server's settings and the test results."""
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
