"""One subtask's loop: plan -> validate -> execute -> review, until approved or out of turns.

Deterministic workflow code. A rejected plan or a review asking for a revision
feeds its reasons into the next plan; a FAIL ends the loop at once. Each step's risk
score decides whether it runs, waits for a person or is refused; a plan may wait for a
person's sign-off (office/signoff.py); an ESCALATE asks a person, who accepts the
result, asks for a revision or fails it (office/escalation.py). A stalled step gets one
alternative plan, then a person decides (an escalation; `office/stall.py`); the
same plan or tool call over and over stops the loop (`office/loops.py`). A plan whose
step failed with a permanent error (a folder that does not exist, a character a tool
refuses) is not run again: when the planner comes back with the same plan, the loop
stops at once with that error as the reason.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import JsonValue

from intelligent_office.activities.messages import (
    Authorization,
    AuthorizeInput,
    PlanInput,
    ValidateInput,
)
from intelligent_office.activities.office_activities import OfficeActivities
from intelligent_office.errors import ActivityError
from intelligent_office.llm.base import PlanningResult, ReviewRequest, ReviewResult
from intelligent_office.memory.base import PlanAttempt, PlanReuse, SubtaskMemory
from intelligent_office.models import (
    ExecutionResult,
    Plan,
    ReviewDecision,
    StepStatus,
    Subtask,
    Task,
    ValidationDecision,
    ValidationLayer,
    ValidationReport,
)
from intelligent_office.office.branches import branch_fields
from intelligent_office.office.calls import AgentCaller, failure_category
from intelligent_office.office.contracts import (
    DeadLetterCategory,
    IterationRecord,
    OfficeInput,
    SubtaskOutcome,
    SubtaskStatus,
)
from intelligent_office.office.deadline import TimeLimit
from intelligent_office.office.escalation import escalate, escalated_answer
from intelligent_office.office.executor import execute_plan
from intelligent_office.office.loops import LoopGuard
from intelligent_office.office.signoff import needs_signoff, sign_off
from intelligent_office.office.stall import StallTracker, stalled_steps
from intelligent_office.runtime.base import Runtime
from intelligent_office.tools.policy import Verdict

__all__ = ["SubtaskLoop"]


def _validation_category(report: ValidationReport) -> DeadLetterCategory:
    layers = {issue.layer for issue in report.issues}
    if ValidationLayer.POLICY in layers:
        return DeadLetterCategory.POLICY
    if ValidationLayer.RESOURCES in layers:
        return DeadLetterCategory.RESOURCE
    return DeadLetterCategory.VALIDATION


def _execution_category(execution: ExecutionResult) -> DeadLetterCategory | None:
    for step in execution.steps:
        if step.status is StepStatus.TIMED_OUT:
            return DeadLetterCategory.TIMEOUT
        if step.status is StepStatus.FAILED and any("retries exhausted" in e for e in step.errors):
            return DeadLetterCategory.TRANSIENT
    return None


def _permanent_failure(execution: ExecutionResult) -> str | None:
    """The error of a step that failed for good: not a timeout, not a transient failure."""
    for step in execution.steps:
        if step.status is StepStatus.FAILED and step.errors:
            error = step.errors[-1]
            if "(transient;" not in error:
                return f"step {step.step_id} failed: {error}"
    return None


def _fingerprint(plan: Plan) -> str:
    """What a plan does, without its ids and estimates: two plans that do the same match."""
    return json.dumps(
        [[s.step_id, s.action, s.inputs, sorted(s.dependencies)] for s in plan.steps],
        sort_keys=True,
        default=str,
    )


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
class _Turn:
    """How one iteration ended."""

    settled: SubtaskStatus | None = None  # COMPLETED or UNSUPPORTED: the loop is over
    category: DeadLetterCategory = DeadLetterCategory.REVIEW
    reason: str = ""
    final: bool = False  # a failure another iteration will not fix


@dataclass
class SubtaskLoop:
    """Runs the plan -> validate -> execute -> review loop for the subtasks of one task."""

    runtime: Runtime
    agents: OfficeActivities
    office_input: OfficeInput
    call: AgentCaller = field(init=False)
    reused: dict[str, PlanReuse] = field(default_factory=dict)
    """Subtasks whose plan came from memory, and where from."""
    loops: dict[str, LoopGuard] = field(default_factory=dict)
    """Each subtask's plans and tool calls so far, to stop loops."""
    stalls: dict[str, StallTracker] = field(default_factory=dict)
    """Each subtask's stalled executions so far."""
    time_limit: TimeLimit = field(default_factory=TimeLimit)
    """The task's deadline or max_duration; past it the subtask stops (timeout)."""
    failed_for_good: dict[str, dict[str, _Turn]] = field(default_factory=dict)
    """Per subtask: plans (by fingerprint) that were rejected or failed for good, and how."""

    def __post_init__(self) -> None:
        self.call = AgentCaller(self.runtime, self.agents, self.office_input)

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
        turn = _Turn(reason="no iteration ran")
        for iteration in range(1, self.office_input.max_iterations + 1):
            late = await self.time_limit.passed(
                self.runtime, f"subtask/{sid}/iter/{iteration}/time_limit"
            )
            if late is not None:
                turn = _Turn(category=DeadLetterCategory.TIMEOUT, reason=f"stopped: {late}")
                break
            record = IterationRecord(iteration=iteration)
            outcome.iterations.append(record)
            try:
                turn = await self._iteration(outcome, record, feedback, upstream_answers)
            except ActivityError as error:
                record.error = str(error)
                turn = _Turn(
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
            await self._remember(outcome, started_at, reasons)
        await self._emit(
            f"subtask.{outcome.status.value}",
            f"subtask/{sid}/finished",
            subtask_id=sid,
            iterations=len(outcome.iterations),
            category=outcome.failure_category.value if outcome.failure_category else None,
            reason=outcome.failure_reason,
        )
        return outcome

    async def _remember(
        self, outcome: SubtaskOutcome, started_at: datetime, reasons: list[str]
    ) -> None:
        """Keep the plans this subtask tried, and how each went, in plan memory."""
        if outcome.status not in (SubtaskStatus.COMPLETED, SubtaskStatus.FAILED):
            return
        attempts = []
        for record, reason in zip(outcome.iterations, reasons, strict=False):
            if record.plan is None:
                continue
            approved = (
                record.review is not None and record.review.decision is ReviewDecision.APPROVE
            )
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
        sid = outcome.subtask.subtask_id
        memory = SubtaskMemory(
            task=self.task,
            subtask=outcome.subtask,
            status=outcome.status.value,
            attempts=attempts,
            answer=outcome.answer,
            failure_reason=outcome.failure_reason,
            started_at=started_at,
            reused=self.reused.get(sid),
        )
        # Memory is learning, not the task's work: a failure to remember does not fail it.
        with contextlib.suppress(ActivityError):
            await self.call(f"subtask/{sid}/remember", self.agents.remember, memory)

    async def _score(self, plan: Plan, key: str, scope: dict[str, JsonValue]) -> Authorization:
        """The policy and the risk score on every step, shown as a `plan.risk` event."""
        authorization = await self.call(
            key,
            self.agents.authorize,
            AuthorizeInput(task=self.task, plan=plan, run_id=self.runtime.run_id),
        )
        steps: list[JsonValue] = [
            {"step_id": step.step_id, "tool": step.tool, "rule": step.rule, **step.risk_detail()}
            for step in authorization.steps
        ]
        await self._emit("plan.risk", f"{key}/risk", **scope, plan_id=plan.plan_id, steps=steps)
        return authorization

    async def _sign_off(
        self,
        record: IterationRecord,
        authorization: Authorization,
        prefix: str,
        feedback: list[str],
        scope: dict[str, JsonValue],
    ) -> _Turn | Authorization:
        """A person signs the plan off (maybe editing steps); the plan's new scores, or why not."""
        assert record.plan is not None
        signed = await sign_off(
            self.call, record.plan, authorization, key=f"{prefix}signoff", scope=scope
        )
        if signed.status == "expired":
            return _Turn(
                category=DeadLetterCategory.POLICY,
                reason="escalated: nobody signed the plan off in time",
                final=True,
            )
        if signed.status != "approved":
            said = signed.comment or "no reason given"
            feedback.append(f"iteration {record.iteration}: a person rejected the plan: {said}")
            return _Turn(category=DeadLetterCategory.POLICY, reason=f"plan rejected: {said}")
        if not signed.edited:
            return authorization
        plan = record.plan = signed.plan
        report = await self.call(
            f"{prefix}signoff/validate",
            self.agents.validate,
            ValidateInput(task=self.task, plan=plan.model_dump(mode="json")),
        )
        if report.decision is ValidationDecision.REJECTED:
            reasons = "; ".join(report.reasons())
            feedback.append(f"iteration {record.iteration}: the edited plan was invalid: {reasons}")
            return _Turn(category=_validation_category(report), reason=f"edited plan: {reasons}")
        return await self._score(plan, f"{prefix}signoff/authorize", scope)

    async def _authorize(
        self,
        record: IterationRecord,
        prefix: str,
        feedback: list[str],
        scope: dict[str, JsonValue],
    ) -> _Turn | Plan:
        """Score every step, maybe ask for sign-off, and ask a person for the risky steps.

        Returns the plan to run (edited by the person, maybe), or how the turn ended.
        """
        assert record.plan is not None
        iteration = record.iteration
        authorization = await self._score(record.plan, f"{prefix}authorize", scope)
        if needs_signoff(self.office_input, authorization):
            signed = await self._sign_off(record, authorization, prefix, feedback, scope)
            if isinstance(signed, _Turn):
                return signed
            authorization = signed
        for step in authorization.steps:
            if step.decision == "run":
                continue
            if step.decision == "refuse":
                status = (
                    "denied by the policy"
                    if step.verdict == Verdict.DENY
                    else f"refused: risk score {step.score}/100 is over the refuse threshold"
                )
            else:
                time_left = await self.time_limit.left(self.runtime, f"{prefix}approve/time_limit")
                decision = await self.call.approval(
                    f"{prefix}approve/{step.step_id}",
                    timeout_seconds=time_left,
                    kind="tool",
                    subject=f"step {step.step_id}: {step.describe()} ({step.reason})",
                    detail={
                        "step_id": step.step_id,
                        "tool": step.tool,
                        "rule": step.rule,
                        "risk": step.risk,
                        **step.risk_detail(),
                    },
                )
                if decision.status == "approved":
                    continue
                status = decision.status
                if status != "expired":
                    said = f' ("{decision.comment}")' if decision.comment else ""
                    status = f"{status} by a human{said}"
            reason = f"step {step.step_id} ({step.describe()}) was {status}: {step.reason}"
            await self._emit(
                "plan.refused",
                f"{prefix}plan/refused",
                **scope,
                step_id=step.step_id,
                reason=reason,
                score=step.score,
            )
            if status == "expired":
                # Nobody decided in time: escalate instead of guessing.
                return _Turn(
                    category=DeadLetterCategory.POLICY,
                    reason=f"escalated: {reason}",
                    final=True,
                )
            feedback.append(f"iteration {iteration}: {reason}; plan without that step")
            return _Turn(category=DeadLetterCategory.POLICY, reason=reason)
        return record.plan

    async def _learned(
        self, planning: PlanningResult, prefix: str, scope: dict[str, JsonValue]
    ) -> None:
        """Record the prompt versions planned with and the learned guidance followed."""
        if planning.prompt_versions:
            sid = scope["subtask_id"]
            versions: dict[str, JsonValue] = dict(planning.prompt_versions)
            await self._emit("prompt.version", f"subtask/{sid}/prompt/version", versions=versions)
        if planning.guidance:
            used: list[JsonValue] = [
                {"id": g.guidance_id, "text": g.text, "similarity": g.similarity}
                for g in planning.guidance
            ]
            plan_id = planning.plan.plan_id if planning.plan else None
            await self._emit(
                "guidance.used", f"{prefix}guidance/used", **scope, plan_id=plan_id, guidance=used
            )

    def _loop_guard(self, sid: str) -> LoopGuard:
        return self.loops.setdefault(sid, LoopGuard(repeats=self.office_input.loop_repeats))

    async def _stop_loop(self, prefix: str, scope: dict[str, JsonValue], reason: str) -> _Turn:
        await self._emit("loop.detected", f"{prefix}loop", **scope, reason=reason)
        return _Turn(category=DeadLetterCategory.LOOP, reason=reason, final=True)

    async def _after_stall(
        self, prefix: str, scope: dict[str, JsonValue], stalled: list[str], feedback: list[str]
    ) -> _Turn:
        """A stalled execution: ask for another plan once, then ask a person."""
        iteration = scope["iteration"]
        reason = f"step {', '.join(stalled)} stalled: no progress past its timeout plus grace"
        tracker = self.stalls.setdefault(str(scope["subtask_id"]), StallTracker())
        if tracker.record() and iteration != self.office_input.max_iterations:
            await self._emit(
                "stall.replanning", f"{prefix}stall/replanning", **scope, reason=reason
            )
            feedback.append(
                f"iteration {iteration}: {reason}; plan an alternative that avoids that call"
            )
            return _Turn(category=DeadLetterCategory.STALLED, reason=reason)
        return await self._escalate_stall(prefix, scope, reason, feedback)

    async def _escalate_stall(
        self, prefix: str, scope: dict[str, JsonValue], reason: str, feedback: list[str]
    ) -> _Turn:
        """The subtask stalled again after a re-plan: a person decides (an escalation).

        Accepting it, or asking for a revision with advice for the planner, tries once more
        while iterations remain; failing it, or no answer in time, dead-letters the task
        (category `stalled`).
        """
        await self._emit("stall.escalated", f"{prefix}stall/escalated", **scope, reason=reason)
        sid, iteration = str(scope["subtask_id"]), int(str(scope["iteration"]))
        question = f"{reason}, after an alternative plan: try again (with advice) or fail it?"
        human = await self.call.approval(
            f"{prefix}stall/escalate",
            kind="escalation",
            subject=f"subtask {sid}, iteration {iteration}: {question}",
            detail={
                "subtask_id": sid,
                "iteration": iteration,
                "question": question,
                "answer": "",
                "outputs": [],
            },
        )
        again = human.status in ("approved", "revised")
        if again and iteration < self.office_input.max_iterations:
            said = human.comment or "try again"
            feedback.append(f"iteration {iteration}: {reason}; a person said: {said}")
            return _Turn(category=DeadLetterCategory.STALLED, reason=f"{reason}; {said}")
        if human.status == "expired":
            ended = "nobody answered in time"
        elif again:
            ended = "no iteration left to try again"
        else:
            ended = f"failed by {human.by or 'a person'}: {human.comment or 'no reason given'}"
        return _Turn(
            category=DeadLetterCategory.STALLED,
            reason=f"escalated after a re-plan: {reason}; {ended}",
            final=True,
        )

    async def _escalation(
        self,
        outcome: SubtaskOutcome,
        prefix: str,
        result: ReviewResult,
        execution: ExecutionResult,
        feedback: list[str],
        category: DeadLetterCategory,
    ) -> _Turn:
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
            return _Turn(settled=SubtaskStatus.COMPLETED)
        if human.status == "revised":
            said = human.comment or "revise it"
            feedback.append(f"iteration {iteration}: a person asked for a revision: {said}")
            return _Turn(category=category, reason=f"revision asked by a person: {said}")
        if human.status == "expired":
            ended = "nobody answered in time"
        else:
            ended = f"failed by {human.by or 'a person'}: {human.comment or 'no reason given'}"
        return _Turn(
            category=DeadLetterCategory.REVIEW,
            reason=f"escalated for a human decision: {review.feedback}; {ended}",
            final=True,
        )

    async def _unplanned(
        self,
        outcome: SubtaskOutcome,
        planning: PlanningResult,
        prefix: str,
        scope: dict[str, JsonValue],
    ) -> _Turn:
        """No plan: the tool-gap report (or a question back) settles the subtask."""
        outcome.gap = planning.gap
        if planning.gap is not None:
            await self.call(f"{prefix}gap", self.agents.record_gap, planning.gap)
        if planning.gap is not None and planning.gap.proposed_request:
            await self._emit(
                "subtask.clarification_requested",
                f"{prefix}clarification",
                **scope,
                understood=planning.gap.suggestion,
                proposed_request=planning.gap.proposed_request,
            )
        return _Turn(settled=SubtaskStatus.UNSUPPORTED)

    async def _iteration(
        self,
        outcome: SubtaskOutcome,
        record: IterationRecord,
        feedback: list[str],
        upstream_answers: dict[str, str],
    ) -> _Turn:
        subtask, iteration = outcome.subtask, record.iteration
        sid = subtask.subtask_id
        prefix = f"subtask/{sid}/iter/{iteration}/"
        scope: dict[str, JsonValue] = {"subtask_id": sid, "iteration": iteration}
        planning = await self.call(
            f"{prefix}plan",
            self.agents.plan,
            PlanInput(
                task=self.task,
                subtask=subtask,
                iteration=iteration,
                feedback=list(feedback),
                upstream_answers=upstream_answers,
            ),
        )
        if planning.plan is None:
            return await self._unplanned(outcome, planning, prefix, scope)
        plan = record.plan = planning.plan
        if planning.reused is not None:
            self.reused[sid] = planning.reused
            await self._emit(
                "plan.reused",
                f"{prefix}plan/reused",
                **scope,
                plan_id=plan.plan_id,
                source=planning.reused.model_dump(mode="json"),
            )
        await self._learned(planning, prefix, scope)
        await self._emit(
            "plan.created",
            f"{prefix}plan/created",
            **scope,
            plan_id=plan.plan_id,
            confidence=plan.confidence,
            model=plan.metadata.model_used,
            steps=[
                {
                    "step_id": step.step_id,
                    "action": step.action,
                    "inputs": step.inputs,
                    "dependencies": list(step.dependencies),
                    **branch_fields(step),
                }
                for step in plan.steps
            ],
        )
        known = self.failed_for_good.get(sid, {}).get(_fingerprint(plan))
        if known is not None:
            # Validating or running it again would end the same way: stop now, and say why.
            reason = f"the same plan was planned again after it failed for good: {known.reason}"
            await self._emit("plan.repeated", f"{prefix}plan/repeated", **scope, reason=reason)
            return _Turn(category=known.category, reason=reason, final=True)
        looping = self._loop_guard(sid).plan_repeated(plan)
        if looping is not None and iteration < self.office_input.max_iterations:
            return await self._stop_loop(prefix, scope, looping)
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
            turn = _Turn(
                category=_validation_category(report), reason="plan rejected: " + "; ".join(reasons)
            )
            # The validator is deterministic: the same plan would be rejected again.
            self.failed_for_good.setdefault(sid, {})[_fingerprint(plan)] = turn
            return turn
        await self._emit("plan.validated", f"{prefix}plan/validated", **scope)
        authorized = await self._authorize(record, prefix, feedback, scope)
        if isinstance(authorized, _Turn):
            return authorized
        plan = authorized
        time_left = await self.time_limit.left(self.runtime, f"{prefix}execute/time_limit")
        if time_left is not None and time_left <= 0:
            late = f"stopped: {self.time_limit.source} passed"
            return _Turn(category=DeadLetterCategory.TIMEOUT, reason=late, final=True)
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
            return await self._after_stall(prefix, scope, stalled, feedback)
        result = await self.call(
            f"{prefix}review",
            self.agents.review,
            ReviewRequest(
                task=self.task,
                subtask=subtask,
                plan=plan,
                execution=execution,
                iteration=iteration,
                workspace=str(self.task.context.get("workspace", "")),
            ),
        )
        review = record.review = result.review
        await self._emit(
            "review.decided",
            f"{prefix}review/decided",
            **scope,
            decision=review.decision.value,
            feedback=review.feedback,
            scores=review.scores.model_dump(mode="json"),
            criteria=[item.model_dump(mode="json") for item in review.criteria],
        )
        if review.decision is ReviewDecision.APPROVE:
            outcome.answer = result.answer
            outcome.details = result.details
            return _Turn(settled=SubtaskStatus.COMPLETED)
        looping = self._loop_guard(sid).calls_repeated(execution)
        if looping is not None and iteration < self.office_input.max_iterations:
            return await self._stop_loop(prefix, scope, looping)
        category = _execution_category(execution) or DeadLetterCategory.REVIEW
        permanent = _permanent_failure(execution)
        if permanent is not None:
            failed = _Turn(category=category, reason=permanent)
            self.failed_for_good.setdefault(sid, {})[_fingerprint(plan)] = failed
        if review.decision is ReviewDecision.REVISE:
            feedback.append(
                f"iteration {iteration}: review asked for a revision: {review.feedback}"
            )
            return _Turn(category=category, reason=f"review: {review.feedback}")
        if review.decision is ReviewDecision.ESCALATE:
            return await self._escalation(outcome, prefix, result, execution, feedback, category)
        return _Turn(
            category=category, reason=f"review failed the result: {review.feedback}", final=True
        )
