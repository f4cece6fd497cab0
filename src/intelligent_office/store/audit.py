"""The audit log: every policy decision and human decision, append-only.

Who (the policy or a person), what (the action and its subject), when, why, and which
rule. The repository can only add and read; the database refuses UPDATE and DELETE.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from intelligent_office.store.records import AuditRecord
from intelligent_office.store.tables import AuditRow

__all__ = ["AuditRepository"]


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
