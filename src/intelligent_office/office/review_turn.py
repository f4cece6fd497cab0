"""The review turn: the reviewer judges an execution, and the loop acts on its decision.

Deterministic workflow code. APPROVE settles the subtask; REVISE feeds the reviewer's
feedback into the next plan; ESCALATE asks a person, who accepts the result, asks for a
revision or fails it (office/escalation.py); FAIL ends the loop at once. A plan whose
step failed with a permanent error (a folder that does not exist, a character a tool
refuses) is remembered, so that the same plan is not run again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from intelligent_office.llm.base import ReviewRequest, ReviewResult
from intelligent_office.models import ExecutionResult, Plan, ReviewDecision
from intelligent_office.office.calls import AgentCaller
from intelligent_office.office.contracts import (
    DeadLetterCategory,
    IterationRecord,
    SubtaskOutcome,
    SubtaskStatus,
)
from intelligent_office.office.escalation import escalate, escalated_answer
from intelligent_office.office.no_progress import NoProgress
from intelligent_office.office.turn import (
    Turn,
    execution_category,
    iteration_scope,
    permanent_failure,
    plan_fingerprint,
)

__all__ = ["ReviewTurn"]


@dataclass
class ReviewTurn:
    """Asks the reviewer about an execution and ends the turn as it decides."""

    call: AgentCaller
    no_progress: NoProgress
    failed_for_good: dict[str, dict[str, Turn]] = field(default_factory=dict)
    """Per subtask: plans (by fingerprint) that were rejected or failed for good, and how."""

    async def review(
        self,
        outcome: SubtaskOutcome,
        record: IterationRecord,
        plan: Plan,
        execution: ExecutionResult,
        feedback: list[str],
    ) -> Turn:
        """Review the execution of `plan`; how the turn ends."""
        task, max_iterations = self.call.office_input.task, self.call.office_input.max_iterations
        subtask, iteration = outcome.subtask, record.iteration
        sid = subtask.subtask_id
        prefix, scope = iteration_scope(sid, iteration)
        result = await self.call(
            f"{prefix}review",
            self.call.agents.review,
            ReviewRequest(
                task=task,
                subtask=subtask,
                plan=plan,
                execution=execution,
                iteration=iteration,
                workspace=str(task.context.get("workspace", "")),
            ),
        )
        review = record.review = result.review
        await self.call.runtime.emit(
            "review.decided",
            {
                **scope,
                "decision": review.decision.value,
                "feedback": review.feedback,
                "scores": review.scores.model_dump(mode="json"),
                "criteria": [item.model_dump(mode="json") for item in review.criteria],
            },
            key=f"{prefix}review/decided",
        )
        if review.decision is ReviewDecision.APPROVE:
            outcome.answer = result.answer
            outcome.details = result.details
            return Turn(settled=SubtaskStatus.COMPLETED)
        looping = self.no_progress.loop_guard(sid).calls_repeated(execution)
        if looping is not None and iteration < max_iterations:
            return await self.no_progress.stop_loop(prefix, scope, looping)
        category = execution_category(execution) or DeadLetterCategory.REVIEW
        permanent = permanent_failure(execution)
        if permanent is not None:
            failed = Turn(category=category, reason=permanent)
            self.failed_for_good.setdefault(sid, {})[plan_fingerprint(plan)] = failed
        if review.decision is ReviewDecision.REVISE:
            feedback.append(
                f"iteration {iteration}: review asked for a revision: {review.feedback}"
            )
            return Turn(category=category, reason=f"review: {review.feedback}")
        if review.decision is ReviewDecision.ESCALATE:
            return await self._escalation(outcome, prefix, result, execution, feedback, category)
        return Turn(
            category=category, reason=f"review failed the result: {review.feedback}", final=True
        )

    async def _escalation(
        self,
        outcome: SubtaskOutcome,
        prefix: str,
        result: ReviewResult,
        execution: ExecutionResult,
        feedback: list[str],
        category: DeadLetterCategory,
    ) -> Turn:
        """A reviewer's ESCALATE: a person accepts the result, asks for a revision or fails it."""
        review, sid = result.review, outcome.subtask.subtask_id
        iteration = int(prefix.rstrip("/").rsplit("/", 1)[1])
        answer = escalated_answer(result, execution)
        human = await escalate(
            self.call,
            key=f"{prefix}escalate",
            subtask_id=sid,
            iteration=iteration,
            review=review,
            answer=answer,
            execution=execution,
        )
        if human.status == "approved":
            outcome.answer, outcome.details = answer, result.details
            return Turn(settled=SubtaskStatus.COMPLETED)
        if human.status == "revised":
            said = human.comment or "revise it"
            feedback.append(f"iteration {iteration}: a person asked for a revision: {said}")
            return Turn(category=category, reason=f"revision asked by a person: {said}")
        if human.status == "expired":
            ended = "nobody answered in time"
        else:
            ended = f"failed by {human.by or 'a person'}: {human.comment or 'no reason given'}"
        return Turn(
            category=DeadLetterCategory.REVIEW,
            reason=f"escalated for a human decision: {review.feedback}; {ended}",
            final=True,
        )
