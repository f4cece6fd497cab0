"""Where the Office's activities record outcomes: the SQL store, or memory for inline use."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any, Protocol

from intelligent_office.errors import UserError
from intelligent_office.store import Store

__all__ = ["MemoryRecords", "OfficeRecords", "StoreRecords"]


class OfficeRecords(Protocol):
    """Task statuses, dead letters and approvals."""

    def request_approval(
        self,
        *,
        approval_id: str,
        task_id: str,
        run_id: str,
        kind: str,
        subject: str,
        detail: dict[str, Any],
    ) -> None:
        """Store a pending approval; the same id twice stores it once."""
        ...

    def expire_approval(self, approval_id: str) -> str:
        """Mark a still-pending approval expired; return its final status."""
        ...

    def audit(
        self,
        *,
        actor: str,
        action: str,
        subject: str,
        reason: str,
        task_id: str | None,
        run_id: str | None,
        rule: str | None,
        detail: dict[str, Any],
    ) -> None:
        """Append a decision to the audit log."""
        ...

    def add_tool_gap(self, task_id: str, subtask_id: str | None, report: dict[str, Any]) -> None:
        """Store a tool-gap report (once per task and subtask)."""
        ...

    def tool_history(self, tool: str, user_id: str) -> dict[str, int]:
        """This tenant's calls, failures, human asks and denials of a tool (audit log)."""
        ...

    def set_task_status(self, task_id: str, status: str) -> None:
        """Record the task's status (running, completed, dead_lettered ...)."""
        ...

    def add_dead_letter(
        self,
        *,
        dead_letter_id: str,
        task_id: str,
        run_id: str,
        category: str,
        reason: str,
        history: dict[str, Any],
    ) -> None:
        """Store a dead letter; the same id twice stores it once."""
        ...


@dataclass
class StoreRecords:
    """Records in the SQL store (the durable default)."""

    store: Store

    def request_approval(
        self,
        *,
        approval_id: str,
        task_id: str,
        run_id: str,
        kind: str,
        subject: str,
        detail: dict[str, Any],
    ) -> None:
        """Insert into the approvals table, once per id."""
        self.store.approvals.request(
            approval_id=approval_id,
            task_id=task_id,
            run_id=run_id,
            kind=kind,
            subject=subject,
            detail=detail,
        )

    def expire_approval(self, approval_id: str) -> str:
        """Expire it unless someone decided first (then their decision stands)."""
        record = self.store.approvals.require(approval_id)
        if record.status == "pending":
            with contextlib.suppress(UserError):  # decided a moment ago: read it below
                self.store.approvals.decide(approval_id, status="expired", by=None)
                self.store.audit.add(
                    actor="timeout",
                    action="approval.expired",
                    subject=record.subject,
                    reason="no decision within the approval timeout: escalated",
                    task_id=record.task_id,
                    run_id=record.run_id,
                    detail={"approval_id": approval_id, "kind": record.kind},
                )
        return self.store.approvals.require(approval_id).status

    def add_tool_gap(self, task_id: str, subtask_id: str | None, report: dict[str, Any]) -> None:
        """Insert into the tool_gaps table."""
        self.store.tool_gaps.add(task_id=task_id, subtask_id=subtask_id, report=report)

    def tool_history(self, tool: str, user_id: str) -> dict[str, int]:
        """Counted from the audit log."""
        return self.store.audit.tool_history(tool, user_id)

    def audit(
        self,
        *,
        actor: str,
        action: str,
        subject: str,
        reason: str,
        task_id: str | None,
        run_id: str | None,
        rule: str | None,
        detail: dict[str, Any],
    ) -> None:
        """Insert into the append-only audit_log table."""
        self.store.audit.add(
            actor=actor,
            action=action,
            subject=subject,
            reason=reason,
            task_id=task_id,
            run_id=run_id,
            rule=rule,
            detail=detail,
        )

    def set_task_status(self, task_id: str, status: str) -> None:
        """Update the tasks table."""
        self.store.tasks.set_status(task_id, status)

    def add_dead_letter(
        self,
        *,
        dead_letter_id: str,
        task_id: str,
        run_id: str,
        category: str,
        reason: str,
        history: dict[str, Any],
    ) -> None:
        """Insert into the dead_letters table, once per id."""
        self.store.dead_letters.add(
            dead_letter_id=dead_letter_id,
            task_id=task_id,
            run_id=run_id,
            category=category,
            reason=reason,
            history=history,
        )


@dataclass
class MemoryRecords:
    """Records kept in memory, for the inline runtime and tests."""

    statuses: dict[str, str] = field(default_factory=dict)
    dead_letters: dict[str, dict[str, Any]] = field(default_factory=dict)
    approvals: dict[str, dict[str, Any]] = field(default_factory=dict)
    audit_log: list[dict[str, Any]] = field(default_factory=list)
    tool_gaps: list[dict[str, Any]] = field(default_factory=list)

    def add_tool_gap(self, task_id: str, subtask_id: str | None, report: dict[str, Any]) -> None:
        """Remember the report."""
        self.tool_gaps.append(report)

    def tool_history(self, tool: str, user_id: str) -> dict[str, int]:
        """Counted from the remembered audit entries (one tenant: all of them)."""
        counts = {"calls": 0, "failures": 0, "asked": 0, "denied": 0}
        for entry in self.audit_log:
            if entry["detail"].get("tool") != tool:
                continue
            action = str(entry["action"])
            if action.startswith("policy."):
                counts["calls"] += 1
            elif action == "tool.failed":
                counts["failures"] += 1
            elif action in ("approval.approved", "approval.denied"):
                counts["asked"] += 1
                counts["denied"] += int(action == "approval.denied")
        return counts

    def audit(
        self,
        *,
        actor: str,
        action: str,
        subject: str,
        reason: str,
        task_id: str | None,
        run_id: str | None,
        rule: str | None,
        detail: dict[str, Any],
    ) -> None:
        """Remember the entry."""
        self.audit_log.append(
            {
                "actor": actor,
                "action": action,
                "subject": subject,
                "reason": reason,
                "task_id": task_id,
                "run_id": run_id,
                "rule": rule,
                "detail": detail,
            }
        )

    def request_approval(
        self,
        *,
        approval_id: str,
        task_id: str,
        run_id: str,
        kind: str,
        subject: str,
        detail: dict[str, Any],
    ) -> None:
        """Remember the approval as pending."""
        self.approvals.setdefault(
            approval_id,
            {
                "task_id": task_id,
                "run_id": run_id,
                "kind": kind,
                "subject": subject,
                "detail": detail,
                "status": "pending",
            },
        )

    def expire_approval(self, approval_id: str) -> str:
        """Expire it if still pending."""
        approval = self.approvals[approval_id]
        if approval["status"] == "pending":
            approval["status"] = "expired"
        return str(approval["status"])

    def set_task_status(self, task_id: str, status: str) -> None:
        """Remember the status."""
        self.statuses[task_id] = status

    def add_dead_letter(
        self,
        *,
        dead_letter_id: str,
        task_id: str,
        run_id: str,
        category: str,
        reason: str,
        history: dict[str, Any],
    ) -> None:
        """Remember the dead letter."""
        self.dead_letters.setdefault(
            dead_letter_id,
            {
                "task_id": task_id,
                "run_id": run_id,
                "category": category,
                "reason": reason,
                "history": history,
            },
        )
