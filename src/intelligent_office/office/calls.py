"""Calling an agent from the Office workflow: durable retries, and waiting for approvals.

Deterministic workflow code. A transient failure is retried with a durable backoff.
`approval` asks a human and waits durably for the decision. A
call held by a nearly spent budget (`BudgetApprovalRequired`) asks a human: the run
records a pending approval, emits `approval.requested` and waits, durably, for the
`approve` or `deny` signal (`office approve ID`). Approved, the call is made again;
denied or timed out, it fails as `BudgetExceeded` and the task stops as a resource
failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, JsonValue

from intelligent_office.activities.messages import ApprovalOutcome, ApprovalRequest
from intelligent_office.activities.office_activities import OfficeActivities
from intelligent_office.errors import (
    ActivityError,
    BudgetApprovalRequired,
    BudgetExceeded,
    SignalTimeout,
    Stalled,
)
from intelligent_office.office.contracts import DeadLetterCategory, OfficeInput
from intelligent_office.runtime.activity import Activity
from intelligent_office.runtime.base import Runtime
from intelligent_office.store.approvals import approval_signal

__all__ = ["AGENT_ATTEMPTS", "AgentCaller", "HumanDecision", "failure_category"]

InT = TypeVar("InT", bound=BaseModel)
OutT = TypeVar("OutT", bound=BaseModel)

AGENT_ATTEMPTS = 3
"""Attempts for an agent (decomposer, planner, ...) that fails with a transient error."""


def failure_category(error: ActivityError) -> DeadLetterCategory:
    """The dead-letter category of an agent's final error."""
    if error.error_type == BudgetExceeded.__name__:
        return DeadLetterCategory.RESOURCE
    if error.error_type == Stalled.__name__:
        return DeadLetterCategory.STALLED
    return DeadLetterCategory.TRANSIENT if error.retryable else DeadLetterCategory.VALIDATION


@dataclass(frozen=True)
class HumanDecision:
    """How a human (or the clock) answered an approval."""

    status: str
    """approved, denied, expired, or revised (an escalation sent back with feedback)."""
    by: str = ""
    comment: str = ""
    response: dict[str, Any] = field(default_factory=dict)
    """What the person answered beyond yes or no: a plan's edited step inputs."""


@dataclass(frozen=True)
class AgentCaller:
    """Calls the agents of one Office run."""

    runtime: Runtime
    agents: OfficeActivities
    office_input: OfficeInput

    async def __call__(self, key: str, target: Activity[InT, OutT], value: InT) -> OutT:
        """Run the agent activity under `key`, retrying and waiting for approvals as needed."""
        attempt, failures = 1, 0
        while True:
            attempt_key = f"{key}/attempt/{attempt}"
            try:
                return await self.runtime.activity(attempt_key, target, value)
            except ActivityError as error:
                if error.error_type == BudgetApprovalRequired.__name__:
                    await self._wait_for_approval(attempt_key, error)
                else:
                    failures += 1
                    if not error.retryable or failures >= AGENT_ATTEMPTS:
                        raise
                    backoff = 0.5 * 2 ** (failures - 1)
                    await self.runtime.sleep(f"{attempt_key}/backoff", backoff)
            attempt += 1

    async def approval(
        self,
        key: str,
        *,
        kind: str,
        subject: str,
        detail: dict[str, JsonValue] | None = None,
        timeout_seconds: float | None = None,
    ) -> HumanDecision:
        """Ask a human and wait, durably: approved, denied or expired (timed out).

        `timeout_seconds` shortens the wait (the task's time left); never lengthens it.
        """
        runtime, task = self.runtime, self.office_input.task
        approval_id = runtime.uuid(f"{key}/approval")
        await runtime.activity(
            f"{key}/approval/request",
            self.agents.request_approval,
            ApprovalRequest(
                approval_id=approval_id,
                task_id=task.task_id,
                run_id=runtime.run_id,
                kind=kind,
                subject=subject,
                detail=detail or {},
            ),
        )
        await runtime.emit(
            "approval.requested",
            {"approval_id": approval_id, "kind": kind, "subject": subject, **(detail or {})},
            key=f"{key}/approval/requested",
        )
        wait = self.office_input.approval_timeout_seconds
        if timeout_seconds is not None:
            wait = min(wait, max(timeout_seconds, 0.001))
        try:
            signal = await runtime.wait_signal(approval_signal(approval_id), timeout_seconds=wait)
            answer = signal if isinstance(signal, dict) else {}
            response = answer.get("response")
            decision = HumanDecision(
                status=str(answer.get("decision") or "denied"),
                by=str(answer.get("by") or ""),
                comment=str(answer.get("comment") or ""),
                response=response if isinstance(response, dict) else {},
            )
        except SignalTimeout:
            outcome = await runtime.activity(
                f"{key}/approval/expire",
                self.agents.expire_approval,
                ApprovalOutcome(approval_id=approval_id, status="expired"),
            )
            decision = HumanDecision(status=outcome.status)
        await runtime.emit(
            "approval.decided",
            {
                "approval_id": approval_id,
                "kind": kind,
                "status": decision.status,
                "by": decision.by,
                "comment": decision.comment,
            },
            key=f"{key}/approval/decided",
        )
        return decision

    async def _wait_for_approval(self, key: str, error: ActivityError) -> None:
        """Ask for the budget approval and wait; raise BudgetExceeded unless it is approved."""
        status = (await self.approval(key, kind="budget", subject=error.detail)).status
        if status != "approved":
            raise ActivityError(
                key,
                BudgetExceeded.__name__,
                f"{error.detail}; the approval was {status}",
                retryable=False,
            )
