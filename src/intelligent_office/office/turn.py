"""How one iteration of a subtask's loop ended, and what kind of failure it was.

Deterministic workflow code. Each turn of the loop (office/subtask_loop.py) ends in a
`Turn`: the subtask settled (completed or unsupported), or it failed with a dead-letter
category and a reason, for good or in a way another iteration may fix.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from pydantic import JsonValue

from intelligent_office.models import (
    ExecutionResult,
    Plan,
    StepStatus,
    ValidationLayer,
    ValidationReport,
)
from intelligent_office.office.contracts import DeadLetterCategory, SubtaskStatus

__all__ = [
    "Turn",
    "execution_category",
    "iteration_scope",
    "permanent_failure",
    "plan_fingerprint",
    "validation_category",
]


@dataclass
class Turn:
    """How one iteration ended."""

    settled: SubtaskStatus | None = None  # COMPLETED or UNSUPPORTED: the loop is over
    category: DeadLetterCategory = DeadLetterCategory.REVIEW
    reason: str = ""
    final: bool = False  # a failure another iteration will not fix


def iteration_scope(subtask_id: str, iteration: int) -> tuple[str, dict[str, JsonValue]]:
    """The key prefix of one iteration's activities and events, and their common fields."""
    prefix = f"subtask/{subtask_id}/iter/{iteration}/"
    return prefix, {"subtask_id": subtask_id, "iteration": iteration}


def validation_category(report: ValidationReport) -> DeadLetterCategory:
    """The dead-letter category of a rejected plan: policy, resources, else validation."""
    layers = {issue.layer for issue in report.issues}
    if ValidationLayer.POLICY in layers:
        return DeadLetterCategory.POLICY
    if ValidationLayer.RESOURCES in layers:
        return DeadLetterCategory.RESOURCE
    return DeadLetterCategory.VALIDATION


def execution_category(execution: ExecutionResult) -> DeadLetterCategory | None:
    """Timeout or transient when a step timed out or ran out of retries; else None."""
    for step in execution.steps:
        if step.status is StepStatus.TIMED_OUT:
            return DeadLetterCategory.TIMEOUT
        if step.status is StepStatus.FAILED and any("retries exhausted" in e for e in step.errors):
            return DeadLetterCategory.TRANSIENT
    return None


def permanent_failure(execution: ExecutionResult) -> str | None:
    """The error of a step that failed for good: not a timeout, not a transient failure."""
    for step in execution.steps:
        if step.status is StepStatus.FAILED and step.errors:
            error = step.errors[-1]
            if "(transient;" not in error:
                return f"step {step.step_id} failed: {error}"
    return None


def plan_fingerprint(plan: Plan) -> str:
    """What a plan does, without its ids and estimates: two plans that do the same match."""
    return json.dumps(
        [[s.step_id, s.action, s.inputs, sorted(s.dependencies)] for s in plan.steps],
        sort_keys=True,
        default=str,
    )
