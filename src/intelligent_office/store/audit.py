"""The audit log: every policy decision and human decision, append-only.

Who (the policy or a person), what (the action and its subject), when, why, and which
rule. The repository can only add and read; the database refuses UPDATE and DELETE.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from intelligent_office.store.records import AuditRecord
from intelligent_office.store.schema import audit_log_table, tasks_table

__all__ = ["AuditRepository"]

_HISTORY_ACTIONS = (
    "policy.allow",
    "policy.require_approval",
    "policy.deny",
    "tool.failed",
    "approval.approved",
    "approval.denied",
)
_HISTORY_WINDOW = 5000  # the newest entries of the tenant: history is recent behaviour
_audit, _tasks = audit_log_table.c, tasks_table.c


class AuditRepository:
    """Append and read audit entries (Core tables: a run's risk model reads them, and a run
    never needs SQLAlchemy's ORM)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(
        self,
        *,
        actor: str,
        action: str,
        subject: str,
        reason: str,
        task_id: str | None = None,
        run_id: str | None = None,
        rule: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Append one entry."""
        with self._engine.begin() as connection:
            connection.execute(
                insert(audit_log_table).values(
                    time=datetime.now(UTC),
                    task_id=task_id,
                    run_id=run_id,
                    actor=actor,
                    action=action,
                    subject=subject,
                    rule=rule,
                    reason=reason,
                    detail=detail or {},
                )
            )

    def recent(self, *, task_id: str | None = None, limit: int = 100) -> list[AuditRecord]:
        """Entries, newest first."""
        query = select(audit_log_table).order_by(_audit.id.desc()).limit(limit)
        if task_id is not None:
            query = query.where(_audit.task_id == task_id)
        with self._engine.connect() as connection:
            return [
                AuditRecord(
                    id=row.id,
                    time=row.time,
                    task_id=row.task_id,
                    run_id=row.run_id,
                    actor=row.actor,
                    action=row.action,
                    subject=row.subject,
                    rule=row.rule,
                    reason=row.reason,
                    detail=row.detail,
                )
                for row in connection.execute(query)
            ]

    def tool_history(self, tool: str, user_id: str) -> dict[str, int]:
        """How this tenant's calls of a tool went: calls, failures, human asks and denials."""
        query = (
            select(_audit.action, _audit.detail)
            .join(tasks_table, _tasks.task_id == _audit.task_id)
            .where(_tasks.user_id == user_id, _audit.action.in_(_HISTORY_ACTIONS))
            .order_by(_audit.id.desc())
            .limit(_HISTORY_WINDOW)
        )
        counts = {"calls": 0, "failures": 0, "asked": 0, "denied": 0}
        with self._engine.connect() as connection:
            for action, detail in connection.execute(query):
                if not isinstance(detail, dict) or detail.get("tool") != tool:
                    continue
                if action.startswith("policy."):
                    counts["calls"] += 1
                elif action == "tool.failed":
                    counts["failures"] += 1
                else:
                    counts["asked"] += 1
                    counts["denied"] += int(action == "approval.denied")
        return counts
