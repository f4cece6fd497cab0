"""The audit log: every policy decision and human decision, append-only.

Who (the policy or a person), what (the action and its subject), when, why, and which
rule. The repository can only add and read; the database refuses UPDATE and DELETE.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from intelligent_office.store.records import AuditRecord
from intelligent_office.store.tables import AuditRow, TaskRow

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


class AuditRepository:
    """Append and read audit entries."""

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
                insert(AuditRow).values(
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
        query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        if task_id is not None:
            query = query.where(AuditRow.task_id == task_id)
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
            select(AuditRow.action, AuditRow.detail)
            .join(TaskRow, TaskRow.task_id == AuditRow.task_id)
            .where(TaskRow.user_id == user_id, AuditRow.action.in_(_HISTORY_ACTIONS))
            .order_by(AuditRow.id.desc())
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
