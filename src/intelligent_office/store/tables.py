"""SQLAlchemy table classes: the durable record of tasks, runs, journal, signals, events, DLQ,
LLM calls, the LLM response cache and approvals."""

# No `from __future__ import annotations` here, unlike the rest of the package: SQLAlchemy
# reads each `Mapped[...]` annotation when the class is made, and a string one it must first
# eval(). Real ones make these tables (loaded by every command that opens the store) some
# 15% faster to define.

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that goes in and comes out as an aware UTC datetime on every database.

    SQLite keeps no time zone, so values are normalised to UTC on the way in and
    marked UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware (UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base of every table; Alembic migrations are written against it.

    A new database is made from these classes (`store.new_database`), an older one by the
    migrations: each table's columns are declared in the order the migrations created
    them (a column a later migration added comes last), so both make the same database.
    """

    type_annotation_map = {dict[str, Any]: JSON, datetime: UTCDateTime()}


class TaskRow(Base):
    """A task as submitted; `event_seq` hands out its events' sequence numbers.

    An idempotency key is unique per tenant: the pair (user_id, idempotency_key), two
    columns, so no spelling of one tenant's key can name another's task.
    """

    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("user_id", "idempotency_key", name="uq_tasks_user_idempotency_key"),
    )

    task_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128), index=True)
    description: Mapped[str] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(Integer, default=5)
    status: Mapped[str] = mapped_column(String(32), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(256))
    """The key as the tenant sent it (no user prefix); see the table's unique pair."""
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    event_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    request_hash: Mapped[str | None] = mapped_column(String(64))
    """SHA-256 of the submitted request, so a reused idempotency key with a new body is told."""
    trace_id: Mapped[str | None] = mapped_column(String(32))
    """The task's OpenTelemetry trace id (32 hex digits), set when its first run starts."""


class RunRow(Base):
    """One execution of a workflow; leased by one worker at a time."""

    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_queue", "status", "priority", "created_at"),)

    run_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.task_id"), index=True)
    workflow: Mapped[str] = mapped_column(String(128))
    input: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(Integer, default=5)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None]
    starts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    cancel_requested: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Its server default is the one migration 0004 gave the column for the rows it found."""


class JournalRow(Base):
    """An activity's result or final error, by (run_id, key): replayed after a crash."""

    __tablename__ = "journal"

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.run_id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(512), primary_key=True)
    activity: Mapped[str] = mapped_column(String(256))
    ok: Mapped[bool]
    output: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error_type: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(Text)
    retryable: Mapped[bool] = mapped_column(default=False)
    recorded_at: Mapped[datetime]
    # What the step saw: its input as compact JSON text (capped), and when it started.
    input: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None]


class SignalRow(Base):
    """A signal sent to a run; the first one under a name wins."""

    __tablename__ = "signals"
    __table_args__ = (UniqueConstraint("run_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.run_id"), index=True)
    name: Mapped[str] = mapped_column(String(256))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]


class EventRow(Base):
    """An event with its strictly increasing sequence number within the task."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("task_id", "seq"),
        UniqueConstraint("task_id", "dedup_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.task_id"))
    run_id: Mapped[str | None] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(128))
    time: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedup_key: Mapped[str] = mapped_column(String(512))


class DeadLetterRow(Base):
    """A task that could not be finished, with what is needed to inspect and resubmit it."""

    __tablename__ = "dead_letters"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.task_id"), index=True)
    run_id: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    history: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    retried_at: Mapped[datetime | None]
    retry_task_id: Mapped[str | None] = mapped_column(String(64))


class LLMCallRow(Base):
    """One LLM call as billed; `task_id` has no foreign key so calls outside a task count too."""

    __tablename__ = "llm_calls"

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    task_id: Mapped[str | None] = mapped_column(String(64), index=True)
    run_id: Mapped[str | None] = mapped_column(String(64))
    subtask_id: Mapped[str | None] = mapped_column(String(64))
    agent: Mapped[str] = mapped_column(String(64))
    tier: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(128))
    model: Mapped[str] = mapped_column(String(256))
    prompt_id: Mapped[str] = mapped_column(String(128))
    prompt_version: Mapped[int] = mapped_column(Integer)
    input_tokens: Mapped[int] = mapped_column(Integer)
    output_tokens: Mapped[int] = mapped_column(Integer)
    cost_usd: Mapped[float] = mapped_column(Float)
    cache_hit: Mapped[bool]
    ok: Mapped[bool]
    error: Mapped[str | None] = mapped_column(Text)
    duration_seconds: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(index=True)


class LLMCacheRow(Base):
    """A cached LLM response by the sha256 of its request, kept until `expires_at`."""

    __tablename__ = "llm_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(256))
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class ApprovalRow(Base):
    """A human decision a run waits for (over budget, a risky tool): pending until decided."""

    __tablename__ = "approvals"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.task_id"), index=True)
    run_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    requested_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(128))
    comment: Mapped[str | None] = mapped_column(Text)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    """What the person answered beyond yes or no: edited step inputs, revision feedback."""


class AuditRow(Base):
    """One decision about a tool call or an approval: who, what, when, why, which rule.

    Append-only: the migration adds triggers that refuse UPDATE and DELETE.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    time: Mapped[datetime] = mapped_column(index=True)
    task_id: Mapped[str | None] = mapped_column(String(64), index=True)
    run_id: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(Text)
    rule: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class ToolGapRow(Base):
    """A machine-readable report of a capability a task was missing."""

    __tablename__ = "tool_gaps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(String(64), index=True)
    subtask_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(index=True)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)


class ApiKeyRow(Base):
    """An API key: only its SHA-256 is stored; the key itself is shown once, at creation."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128), index=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class FeedbackRow(Base):
    """A person's rating of a task's answer (1..5) and comment."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.task_id"), index=True)
    user_id: Mapped[str] = mapped_column(String(128))
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class WebhookRow(Base):
    """Where to POST a user's (or one task's) events, signed with the webhook's secret."""

    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128), index=True)
    task_id: Mapped[str | None] = mapped_column(String(64), index=True)
    url: Mapped[str] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(String(128))
    event_types: Mapped[list[str]] = mapped_column(JSON)
    """Event types delivered; empty means every type."""
    created_at: Mapped[datetime]
    active: Mapped[bool] = mapped_column(default=True)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    """The id of the newest event already queued for delivery (the dispatcher's cursor)."""


class WebhookDeliveryRow(Base):
    """One event for one webhook: pending until delivered or out of attempts."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("webhook_id", "event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id"), index=True)
    event_id: Mapped[int] = mapped_column(Integer)
    task_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), index=True)
    """pending, delivered or failed."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class PayloadBlobRow(Base):
    """A large Temporal payload kept here instead of in Temporal's history (claim check).

    Keyed by the SHA-256 of its bytes, so storing the same payload twice is one row.
    """

    __tablename__ = "payload_blobs"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]


class MemoryItemRow(Base):
    """One thing the memory can find: a plan record, a document chunk or a piece of feedback.

    `text` is what is embedded and keyword-indexed; the vectors live beside it in a
    per-embedder vector table (sqlite-vec or pgvector), created when memory first runs.
    """

    __tablename__ = "memory_items"
    __table_args__ = (Index("ix_memory_items_scope", "tenant", "kind", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    """plan, document or feedback."""
    source: Mapped[str] = mapped_column(String(2048), index=True)
    """Where it came from: a file's path, `task/<task_id>/<subtask_id>`, `feedback/<id>`."""
    position: Mapped[int] = mapped_column(Integer, default=0)
    """The chunk's index within its source (0 for a whole record)."""
    location: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Where in the source: lines, page, characters."""
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    """A plan record's steps, hashed: every run of the same plan shares it (its reuse score)."""
    task_id: Mapped[str | None] = mapped_column(String(64), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class MemoryDocumentRow(Base):
    """An ingested file: its content hash tells an unchanged file from a changed one."""

    __tablename__ = "memory_documents"
    __table_args__ = (UniqueConstraint("tenant", "path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(128))
    path: Mapped[str] = mapped_column(String(2048))
    content_hash: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    chunks: Mapped[int] = mapped_column(Integer)
    ingested_at: Mapped[datetime] = mapped_column(index=True)


class EmbeddingCacheRow(Base):
    """An embedding by the SHA-256 of (embedder, text): the same text is embedded once."""

    __tablename__ = "embedding_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(256))
    dimensions: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    """float32, little-endian."""
    created_at: Mapped[datetime]


class AgentRow(Base):
    """An agent created over the HTTP API from an archetype, with its execution counts."""

    __tablename__ = "agents"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128), index=True)
    name: Mapped[str] = mapped_column(String(128))
    archetype: Mapped[str] = mapped_column(String(32))
    spec: Mapped[dict[str, Any]]
    executions: Mapped[int] = mapped_column(Integer, default=0)
    successes: Mapped[int] = mapped_column(Integer, default=0)
    last_state: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    last_run_at: Mapped[datetime | None]


class EvalRunRow(Base):
    """One `office eval` run of a suite: when, with which brain, and how many cases passed."""

    __tablename__ = "eval_runs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    suite: Mapped[str] = mapped_column(String(256))
    """The suite's name (its file's stem unless the suite names itself)."""
    suite_path: Mapped[str] = mapped_column(Text)
    brain: Mapped[str] = mapped_column(String(256))
    cases_total: Mapped[int] = mapped_column(Integer)
    cases_passed: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    summary: Mapped[dict[str, Any]]
    """Pass counts by capability, the filters used, tokens and cost in all."""
    started_at: Mapped[datetime] = mapped_column(index=True)


class EvalCaseRow(Base):
    """One case of an eval run: passed or not, why, and what it took."""

    __tablename__ = "eval_cases"

    run_id: Mapped[str] = mapped_column(ForeignKey("eval_runs.id"), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    capability: Mapped[str] = mapped_column(String(64))
    passed: Mapped[bool]
    task_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    seconds: Mapped[float] = mapped_column(Float)
    iterations: Mapped[int] = mapped_column(Integer)
    tokens: Mapped[int] = mapped_column(Integer)
    cost_usd: Mapped[float] = mapped_column(Float)
    brain: Mapped[str] = mapped_column(String(256))
    checks: Mapped[dict[str, Any]]
    """{"results": [{"check", "passed", "detail"}], "tools": [...], "error": ...}."""


class GuidanceRow(Base):
    """Planner guidance learned from a cause of failure (`office learn`)."""

    __tablename__ = "learning_guidance"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    cause: Mapped[str] = mapped_column(String(512), index=True)
    """The cause's key: category | intent | plan shape | error pattern."""
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(64))
    tool: Mapped[str | None] = mapped_column(String(256))
    adjustment: Mapped[dict[str, Any]]
    """What the offline planner does about it: {"kind": ..., ...}; kind "note" is text only."""
    examples: Mapped[list[Any]] = mapped_column(JSON)
    """Task texts of the failures it came from: retrieval compares new tasks with them."""
    evidence: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16))
    uses: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PromptVersionRow(Base):
    """One version of a tier's prompt (for the offline brain: its guidance set)."""

    __tablename__ = "prompt_versions"
    __table_args__ = (UniqueConstraint("tier", "version"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tier: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(String(256))
    parent_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    """candidate, current or retired."""
    evaluation: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class ToolDraftRow(Base):
    """A tool drafted from a tool-gap report, as an MCP server, until it is registered."""

    __tablename__ = "tool_drafts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    gap_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(64))
    shape: Mapped[str] = mapped_column(String(32))
    risk: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    spec: Mapped[dict[str, Any]]
    """Schema, files, the MCP server's settings and the test results."""
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
