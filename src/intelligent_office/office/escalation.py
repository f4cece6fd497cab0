"""Escalation: a reviewer's ESCALATE asks a person instead of dead-lettering the task.

Deterministic workflow code. The person sees the reviewer's question and the outputs
(an approval of kind `escalation`) and accepts the result (approved), asks for a
revision with feedback for the next plan (revised), or fails it (denied: the task goes
to the dead-letter queue with their reason).
"""

from __future__ import annotations

import json

from pydantic import JsonValue

from intelligent_office.llm.base import ReviewResult
from intelligent_office.models import ExecutionResult, Review
from intelligent_office.office.calls import AgentCaller, HumanDecision

__all__ = ["escalate", "escalated_answer"]

_SHOWN = 4000  # characters of each output on the card: enough to judge, not a dump


def _shown(outputs: dict[str, JsonValue]) -> JsonValue:
    """The outputs as JSON, or their first characters as text when they are long."""
    text = json.dumps(outputs, default=str)
    return json.loads(text) if len(text) <= _SHOWN else text[:_SHOWN] + "..."


def escalated_answer(result: ReviewResult, execution: ExecutionResult) -> str:
    """The reviewer's answer, or else the steps' outputs, as the accepted result."""
    if result.answer:
        return result.answer
    parts = [
        f"{step.step_id}: {json.dumps(step.outputs, default=str)[:_SHOWN]}"
        for step in execution.steps
        if step.outputs
    ]
    return "\n".join(parts)


async def escalate(
    call: AgentCaller,
    *,
    key: str,
    subtask_id: str,
    iteration: int,
    review: Review,
    answer: str,
    execution: ExecutionResult,
) -> HumanDecision:
    """Open an escalation with the reviewer's question and the outputs; wait for the person."""
    outputs: list[JsonValue] = [
        {
            "step_id": step.step_id,
            "status": step.status.value,
            "outputs": _shown(step.outputs),
            "errors": list(step.errors),
        }
        for step in execution.steps
    ]
    question = review.feedback or "the reviewer could not decide: is this result right?"
    return await call.approval(
        key,
        kind="escalation",
        subject=f"subtask {subtask_id}, iteration {iteration}: {question}",
        detail={
            "subtask_id": subtask_id,
            "iteration": iteration,
            "question": question,
            "answer": answer,
            "outputs": outputs,
            "scores": review.scores.model_dump(mode="json"),
        },
    )
