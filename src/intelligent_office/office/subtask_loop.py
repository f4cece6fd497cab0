"""One subtask's loop: plan -> validate -> authorize -> execute -> review, until done.

Deterministic workflow code. Each iteration is a turn that ends in a `Turn`
(office/turn.py): planning (office/planning_turn.py), validation, authorization and
sign-off (office/authorization.py), execution (office/executor.py), then review
(office/review_turn.py). A rejected plan or a review asking for a revision feeds its
reasons into the next plan; a FAIL ends the loop at once. A stalled step or a loop
ends a turn as office/no_progress.py decides. A plan that was rejected or whose step
failed with a permanent error is not run again: when the planner comes back with the
same plan, the loop stops at once with that error as the reason. The plans tried are
remembered (office/remembering.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import JsonValue

from intelligent_office.activities.messages import ValidateInput
from intelligent_office.activities.office_activities import OfficeActivities
from intelligent_office.errors import ActivityError
from intelligent_office.models import ExecutionResult, Subtask, Task, ValidationDecision
from intelligent_office.office.authorization import Authorizer
from intelligent_office.office.calls import AgentCaller, failure_category
from intelligent_office.office.contracts import (
    DeadLetterCategory,
    IterationRecord,
    OfficeInput,
    SubtaskOutcome,
    SubtaskStatus,
)
from intelligent_office.office.deadline import TimeLimit
from intelligent_office.office.executor import execute_plan
from intelligent_office.office.no_progress import NoProgress
from intelligent_office.office.planning_turn import PlanningTurn
from intelligent_office.office.remembering import remember_subtask
from intelligent_office.office.review_turn import ReviewTurn
from intelligent_office.office.stall import stalled_steps
from intelligent_office.office.turn import (
    Turn,
    iteration_scope,
    plan_fingerprint,
    validation_category,
)
from intelligent_office.runtime.base import Runtime

__all__ = ["SubtaskLoop"]


def _step_summary(execution: ExecutionResult) -> list[JsonValue]:
    return [
        {
            "step_id": step.step_id,
            "status": step.status.value,
            "tool": step.tool_calls[0].tool if step.tool_calls else None,
            "duration_seconds": step.tool_calls[0].duration_seconds if step.tool_calls else None,
            "error": step.errors[-1] if step.errors else None,
        }
        for step in execution.steps
    ]


@dataclass
class SubtaskLoop:
    """Runs the plan -> validate -> execute -> review loop for the subtasks of one task."""

    runtime: Runtime
    agents: OfficeActivities
    office_input: OfficeInput
    time_limit: TimeLimit = field(default_factory=TimeLimit)
    """The task's deadline or max_duration; past it the subtask stops (timeout)."""
    call: AgentCaller = field(init=False)
    planning: PlanningTurn = field(init=False)
    authorizer: Authorizer = field(init=False)
    no_progress: NoProgress = field(init=False)
    reviewing: ReviewTurn = field(init=False)
    failed_for_good: dict[str, dict[str, Turn]] = field(default_factory=dict)
    """Per subtask: plans (by fingerprint) that were rejected or failed for good, and how."""

    def __post_init__(self) -> None:
        self.call = AgentCaller(self.runtime, self.agents, self.office_input)
        self.planning = PlanningTurn(self.call)
        self.authorizer = Authorizer(self.call, self.time_limit)
        self.no_progress = NoProgress(self.call)
        self.reviewing = ReviewTurn(self.call, self.no_progress, self.failed_for_good)

    @property
    def task(self) -> Task:
        """The task being worked on."""
        return self.office_input.task

    async def _emit(self, event_type: str, key: str, **payload: JsonValue) -> None:
        await self.runtime.emit(event_type, payload, key=key)

    async def run(self, subtask: Subtask, upstream_answers: dict[str, str]) -> SubtaskOutcome:
        """Work on one subtask until it is approved, unsupported, failed or out of turns."""
        sid = subtask.subtask_id
        outcome = SubtaskOutcome(subtask=subtask, status=SubtaskStatus.FAILED)
        await self._emit(
            "subtask.started",
            f"subtask/{sid}/started",
            subtask_id=sid,
            description=subtask.description,
        )
        # Decided by the input, not the worker's configuration: a replay takes the same path.
        remember = self.office_input.remember
        started_at = await self.runtime.now(f"subtask/{sid}/started_at") if remember else None
        feedback: list[str] = []
        reasons: list[str] = []
        turn = Turn(reason="no iteration ran")
        for iteration in range(1, self.office_input.max_iterations + 1):
            late = await self.time_limit.passed(
                self.runtime, f"subtask/{sid}/iter/{iteration}/time_limit"
            )
            if late is not None:
                turn = Turn(category=DeadLetterCategory.TIMEOUT, reason=f"stopped: {late}")
                break
            record = IterationRecord(iteration=iteration)
            outcome.iterations.append(record)
            try:
                turn = await self._iteration(outcome, record, feedback, upstream_answers)
            except ActivityError as error:
                record.error = str(error)
                turn = Turn(
                    category=failure_category(error),
                    reason=f"an agent failed: {error.error_type}: {error.detail}",
                    final=True,
                )
            reasons.append(turn.reason)
            if turn.settled is not None:
                outcome.status = turn.settled
                break
            if turn.final:
                break
        else:
            turn.reason = (
                f"no approved result after {self.office_input.max_iterations} iterations;"
                f" last: {turn.reason}"
            )
        if (
            outcome.status is SubtaskStatus.FAILED
            and turn.category is not DeadLetterCategory.TIMEOUT
        ):
            late = await self.time_limit.passed(self.runtime, f"subtask/{sid}/time_limit")
            if late is not None:  # e.g. a step cut short by the limit: that is why it failed
                turn.category, turn.reason = DeadLetterCategory.TIMEOUT, f"{turn.reason}; {late}"
        if outcome.status is SubtaskStatus.FAILED:
            outcome.failure_category = turn.category
            outcome.failure_reason = turn.reason
        if started_at is not None:
            reused = self.planning.reused.get(sid)
            await remember_subtask(self.call, outcome, started_at, reasons, reused)
        await self._emit(
            f"subtask.{outcome.status.value}",
            f"subtask/{sid}/finished",
            subtask_id=sid,
            iterations=len(outcome.iterations),
            category=outcome.failure_category.value if outcome.failure_category else None,
            reason=outcome.failure_reason,
        )
        return outcome

    async def _iteration(
        self,
        outcome: SubtaskOutcome,
        record: IterationRecord,
        feedback: list[str],
        upstream_answers: dict[str, str],
    ) -> Turn:
        subtask, iteration = outcome.subtask, record.iteration
        sid = subtask.subtask_id
        prefix, scope = iteration_scope(sid, iteration)
        planned = await self.planning.plan(outcome, record, feedback, upstream_answers)
        if isinstance(planned, Turn):
            return planned
        plan = planned
        failed_for_good = self.failed_for_good.setdefault(sid, {})
        known = failed_for_good.get(plan_fingerprint(plan))
        if known is not None:
            # Validating or running it again would end the same way: stop now, and say why.
            reason = f"the same plan was planned again after it failed for good: {known.reason}"
            await self._emit("plan.repeated", f"{prefix}plan/repeated", **scope, reason=reason)
            return Turn(category=known.category, reason=reason, final=True)
        looping = self.no_progress.loop_guard(sid).plan_repeated(plan)
        if looping is not None and iteration < self.office_input.max_iterations:
            return await self.no_progress.stop_loop(prefix, scope, looping)
        report = record.validation = await self.call(
            f"{prefix}validate",
            self.agents.validate,
            ValidateInput(task=self.task, plan=plan.model_dump(mode="json"), subtask=subtask),
        )
        if report.decision is ValidationDecision.REJECTED:
            reasons = report.reasons()
            feedback.extend(f"iteration {iteration}: plan rejected: {line}" for line in reasons)
            listed: list[JsonValue] = list(reasons)
            await self._emit("plan.rejected", f"{prefix}plan/rejected", **scope, reasons=listed)
            turn = Turn(
                category=validation_category(report), reason="plan rejected: " + "; ".join(reasons)
            )
            # The validator is deterministic: the same plan would be rejected again.
            failed_for_good[plan_fingerprint(plan)] = turn
            return turn
        await self._emit("plan.validated", f"{prefix}plan/validated", **scope)
        authorized = await self.authorizer.authorize(record, prefix, feedback, scope)
        if isinstance(authorized, Turn):
            return authorized
        plan = authorized
        time_left = await self.time_limit.left(self.runtime, f"{prefix}execute/time_limit")
        if time_left is not None and time_left <= 0:
            late = f"stopped: {self.time_limit.source} passed"
            return Turn(category=DeadLetterCategory.TIMEOUT, reason=late, final=True)
        execution = record.execution = await execute_plan(
            self.runtime,
            self.agents,
            self.task,
            plan,
            key_prefix=prefix,
            max_parallel=self.office_input.max_parallel_steps,
            max_for_each_items=self.office_input.max_for_each_items,
            time_left=time_left,
        )
        await self._emit(
            "execution.finished",
            f"{prefix}execution/finished",
            **scope,
            status=execution.status.value,
            steps=_step_summary(execution),
        )
        stalled = stalled_steps(execution)
        if stalled:
            return await self.no_progress.after_stall(prefix, scope, stalled, feedback)
        return await self.reviewing.review(outcome, record, plan, execution, feedback)
