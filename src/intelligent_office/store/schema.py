"""The store's tables as SQLAlchemy Core `Table`s: what a run's path reads and writes.

The ORM classes in `store.tables` map onto these same tables (one `MetaData`); a run, a
worker and a new database need only these, so they never import SQLAlchemy's ORM (about
8 MiB of a worker's memory). Each table's columns are declared in the order the migrations
created them (a column a later migration added comes last), so a new database made from
this metadata (`store.new_database`) is the same as one the migrations made.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)

__all__ = [
    "UTCDateTime",
    "metadata",
    "agents_table",
    "api_keys_table",
    "approvals_table",
    "audit_log_table",
    "dead_letters_table",
    "embedding_cache_table",
    "eval_cases_table",
    "eval_runs_table",
    "events_table",
    "feedback_table",
    "journal_table",
    "learning_guidance_table",
    "llm_cache_table",
    "llm_calls_table",
    "memory_documents_table",
    "memory_items_table",
    "payload_blobs_table",
    "prompt_versions_table",
    "runs_table",
    "signals_table",
    "tasks_table",
    "tool_drafts_table",
    "tool_gaps_table",
    "webhook_deliveries_table",
    "webhooks_table",
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


metadata = MetaData()
"""Every table of the store; Alembic's migrations and `store.new_database` work from it."""


tasks_table = Table(
    "tasks",
    metadata,
    Column("task_id", String(64), primary_key=True),
    Column("user_id", String(128), nullable=False, index=True),
    Column("description", Text, nullable=False),
    Column("priority", Integer, nullable=False, default=5),
    Column("status", String(32), nullable=False, index=True),
    Column("idempotency_key", String(256)),
    Column("body", JSON, nullable=False),
    Column("event_seq", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("request_hash", String(64)),
    Column("trace_id", String(32)),
    UniqueConstraint("user_id", "idempotency_key", name="uq_tasks_user_idempotency_key"),
)

runs_table = Table(
    "runs",
    metadata,
    Column("run_id", String(64), primary_key=True),
    Column("task_id", ForeignKey("tasks.task_id"), nullable=False, index=True),
    Column("workflow", String(128), nullable=False),
    Column("input", JSON, nullable=False),
    Column("status", String(32), nullable=False),
    Column("priority", Integer, nullable=False, default=5),
    Column("result", JSON),
    Column("error", Text),
    Column("lease_owner", String(128)),
    Column("lease_expires_at", UTCDateTime()),
    Column("starts", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("started_at", UTCDateTime()),
    Column("finished_at", UTCDateTime()),
    # The server default is the one migration 0004 gave the column for the rows it found.
    Column("cancel_requested", Boolean, nullable=False, default=False, server_default=false()),
    Index("ix_runs_queue", "status", "priority", "created_at"),
)

journal_table = Table(
    "journal",
    metadata,
    Column("run_id", ForeignKey("runs.run_id"), primary_key=True),
    Column("key", String(512), primary_key=True),
    Column("activity", String(256), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("output", JSON),
    Column("error_type", String(128)),
    Column("error", Text),
    Column("retryable", Boolean, nullable=False, default=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("input", Text),
    Column("started_at", UTCDateTime()),
)

signals_table = Table(
    "signals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", ForeignKey("runs.run_id"), nullable=False, index=True),
    Column("name", String(256), nullable=False),
    Column("payload", JSON),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("run_id", "name"),
)

events_table = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("task_id", ForeignKey("tasks.task_id"), nullable=False),
    Column("run_id", String(64)),
    Column("seq", Integer, nullable=False),
    Column("type", String(128), nullable=False),
    Column("time", UTCDateTime(), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("dedup_key", String(512), nullable=False),
    UniqueConstraint("task_id", "seq"),
    UniqueConstraint("task_id", "dedup_key"),
)

dead_letters_table = Table(
    "dead_letters",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("task_id", ForeignKey("tasks.task_id"), nullable=False, index=True),
    Column("run_id", String(64)),
    Column("category", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("history", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("retried_at", UTCDateTime()),
    Column("retry_task_id", String(64)),
)

llm_calls_table = Table(
    "llm_calls",
    metadata,
    Column("call_id", String(64), primary_key=True),
    Column("task_id", String(64), index=True),
    Column("run_id", String(64)),
    Column("subtask_id", String(64)),
    Column("agent", String(64), nullable=False),
    Column("tier", String(64), nullable=False),
    Column("provider", String(128), nullable=False),
    Column("model", String(256), nullable=False),
    Column("prompt_id", String(128), nullable=False),
    Column("prompt_version", Integer, nullable=False),
    Column("input_tokens", Integer, nullable=False),
    Column("output_tokens", Integer, nullable=False),
    Column("cost_usd", Float, nullable=False),
    Column("cache_hit", Boolean, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("error", Text),
    Column("duration_seconds", Float, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False, index=True),
)

llm_cache_table = Table(
    "llm_cache",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("model", String(256), nullable=False),
    Column("value", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False, index=True),
)

approvals_table = Table(
    "approvals",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("task_id", ForeignKey("tasks.task_id"), nullable=False, index=True),
    Column("run_id", String(64)),
    Column("kind", String(32), nullable=False),
    Column("subject", Text, nullable=False),
    Column("detail", JSON, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("requested_at", UTCDateTime(), nullable=False),
    Column("decided_at", UTCDateTime()),
    Column("decided_by", String(128)),
    Column("comment", Text),
    Column("response", JSON),
)

audit_log_table = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("time", UTCDateTime(), nullable=False, index=True),
    Column("task_id", String(64), index=True),
    Column("run_id", String(64)),
    Column("actor", String(128), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", Text, nullable=False),
    Column("rule", String(128)),
    Column("reason", Text, nullable=False),
    Column("detail", JSON, nullable=False),
)

tool_gaps_table = Table(
    "tool_gaps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("task_id", String(64), nullable=False, index=True),
    Column("subtask_id", String(64)),
    Column("created_at", UTCDateTime(), nullable=False, index=True),
    Column("report", JSON, nullable=False),
)

api_keys_table = Table(
    "api_keys",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("user_id", String(128), nullable=False, index=True),
    Column("role", String(16), nullable=False),
    Column("name", String(128), nullable=False, default=""),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_used_at", UTCDateTime()),
    Column("revoked_at", UTCDateTime()),
)

feedback_table = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("task_id", ForeignKey("tasks.task_id"), nullable=False, index=True),
    Column("user_id", String(128), nullable=False),
    Column("rating", Integer),
    Column("comment", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime(), nullable=False),
)

webhooks_table = Table(
    "webhooks",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(128), nullable=False, index=True),
    Column("task_id", String(64), index=True),
    Column("url", Text, nullable=False),
    Column("secret", String(128), nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("last_event_id", Integer, nullable=False, default=0),
)

webhook_deliveries_table = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("webhook_id", ForeignKey("webhooks.id"), nullable=False, index=True),
    Column("event_id", Integer, nullable=False),
    Column("task_id", String(64), nullable=False),
    Column("event_type", String(128), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime(), nullable=False, index=True),
    Column("last_status_code", Integer),
    Column("last_error", Text),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("delivered_at", UTCDateTime()),
    UniqueConstraint("webhook_id", "event_id"),
)

payload_blobs_table = Table(
    "payload_blobs",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("size", Integer, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

memory_items_table = Table(
    "memory_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant", String(128), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("source", String(2048), nullable=False, index=True),
    Column("position", Integer, nullable=False, default=0),
    Column("location", JSON, nullable=False),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("fingerprint", String(64), index=True),
    Column("task_id", String(64), index=True),
    Column("data", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_memory_items_scope", "tenant", "kind", "created_at"),
)

memory_documents_table = Table(
    "memory_documents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant", String(128), nullable=False),
    Column("path", String(2048), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("chunks", Integer, nullable=False),
    Column("ingested_at", UTCDateTime(), nullable=False, index=True),
    UniqueConstraint("tenant", "path"),
)

embedding_cache_table = Table(
    "embedding_cache",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("model", String(256), nullable=False),
    Column("dimensions", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

agents_table = Table(
    "agents",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(128), nullable=False, index=True),
    Column("name", String(128), nullable=False),
    Column("archetype", String(32), nullable=False),
    Column("spec", JSON, nullable=False),
    Column("executions", Integer, nullable=False, default=0),
    Column("successes", Integer, nullable=False, default=0),
    Column("last_state", String(32)),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_run_at", UTCDateTime()),
)

eval_runs_table = Table(
    "eval_runs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("suite", String(256), nullable=False),
    Column("suite_path", Text, nullable=False),
    Column("brain", String(256), nullable=False),
    Column("cases_total", Integer, nullable=False),
    Column("cases_passed", Integer, nullable=False),
    Column("seconds", Float, nullable=False),
    Column("summary", JSON, nullable=False),
    Column("started_at", UTCDateTime(), nullable=False, index=True),
)

eval_cases_table = Table(
    "eval_cases",
    metadata,
    Column("run_id", ForeignKey("eval_runs.id"), primary_key=True),
    Column("case_id", String(128), primary_key=True),
    Column("capability", String(64), nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("task_id", String(64)),
    Column("status", String(32), nullable=False),
    Column("seconds", Float, nullable=False),
    Column("iterations", Integer, nullable=False),
    Column("tokens", Integer, nullable=False),
    Column("cost_usd", Float, nullable=False),
    Column("brain", String(256), nullable=False),
    Column("checks", JSON, nullable=False),
)

learning_guidance_table = Table(
    "learning_guidance",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("cause", String(512), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("intent", String(64)),
    Column("tool", String(256)),
    Column("adjustment", JSON, nullable=False),
    Column("examples", JSON, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("uses", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

prompt_versions_table = Table(
    "prompt_versions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("tier", String(32), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("model", String(256)),
    Column("parent_id", String(64)),
    Column("status", String(16), nullable=False),
    Column("evaluation", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("decided_at", UTCDateTime()),
    UniqueConstraint("tier", "version"),
)

tool_drafts_table = Table(
    "tool_drafts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("gap_id", Integer, nullable=False, index=True),
    Column("name", String(64), nullable=False),
    Column("shape", String(32), nullable=False),
    Column("risk", String(16), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("spec", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)
