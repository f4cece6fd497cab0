"""Remembering a subtask: the plans it tried, and how each went, kept in plan memory.

Deterministic workflow code. The planner retrieves these later (successful plans to
reuse, failed ones to avoid). Memory is learning, not the task's work: a failure to
remember does not fail the subtask.
"""

from __future__ import annotations

import contextlib
from datetime import datetime

from intelligent_office.errors import ActivityError
from intelligent_office.memory.base import PlanAttempt, PlanReuse, SubtaskMemory
from intelligent_office.models import ReviewDecision
from intelligent_office.office.calls import AgentCaller
from intelligent_office.office.contracts import SubtaskOutcome, SubtaskStatus

__all__ = ["remember_subtask"]


async def remember_subtask(
    call: AgentCaller,
    outcome: SubtaskOutcome,
    started_at: datetime,
    reasons: list[str],
    reused: PlanReuse | None,
) -> None:
    """Keep the plans this subtask tried, and how each went, in plan memory."""
    if outcome.status not in (SubtaskStatus.COMPLETED, SubtaskStatus.FAILED):
        return
    attempts = []
    for record, reason in zip(outcome.iterations, reasons, strict=False):
        if record.plan is None:
            continue
        approved = record.review is not None and record.review.decision is ReviewDecision.APPROVE
        attempts.append(
            PlanAttempt(
                plan=record.plan,
                outcome="success" if approved else "failure",
                review=record.review,
                reasons=[] if approved else [reason or record.error or "failed"],
            )
        )
    if not attempts:
        return
    memory = SubtaskMemory(
        task=call.office_input.task,
        subtask=outcome.subtask,
        status=outcome.status.value,
        attempts=attempts,
        answer=outcome.answer,
        failure_reason=outcome.failure_reason,
        started_at=started_at,
        reused=reused,
    )
    with contextlib.suppress(ActivityError):
        await call(f"subtask/{outcome.subtask.subtask_id}/remember", call.agents.remember, memory)
