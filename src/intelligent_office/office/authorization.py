"""The authorization turn: score every step, maybe ask for sign-off, ask for risky steps.

Deterministic workflow code. Each step's risk score decides whether it runs, waits for a
person or is refused; a plan may first wait for a person's sign-off (office/signoff.py),
who may edit its steps (the edited plan is validated and scored again). A refused or
denied step ends the turn with feedback for the planner; an approval nobody gave in
time escalates (the task is dead-lettered, category policy).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import JsonValue

from intelligent_office.activities.messages import Authorization, AuthorizeInput, ValidateInput
from intelligent_office.models import Plan, ValidationDecision
from intelligent_office.office.calls import AgentCaller
from intelligent_office.office.contracts import DeadLetterCategory, IterationRecord
from intelligent_office.office.deadline import TimeLimit
from intelligent_office.office.signoff import needs_signoff, sign_off
from intelligent_office.office.turn import Turn, validation_category
from intelligent_office.tools.policy import Verdict

__all__ = ["Authorizer"]


@dataclass
class Authorizer:
    """Decides, with the policy and people, which of a plan's steps may run."""

    call: AgentCaller
    time_limit: TimeLimit

    async def score(self, plan: Plan, key: str, scope: dict[str, JsonValue]) -> Authorization:
        """The policy and the risk score on every step, shown as a `plan.risk` event."""
        runtime, task = self.call.runtime, self.call.office_input.task
        authorization = await self.call(
            key,
            self.call.agents.authorize,
            AuthorizeInput(task=task, plan=plan, run_id=runtime.run_id),
        )
        steps: list[JsonValue] = [
            {"step_id": step.step_id, "tool": step.tool, "rule": step.rule, **step.risk_detail()}
            for step in authorization.steps
        ]
        payload: dict[str, JsonValue] = {**scope, "plan_id": plan.plan_id, "steps": steps}
        await runtime.emit("plan.risk", payload, key=f"{key}/risk")
        return authorization

    async def authorize(
        self,
        record: IterationRecord,
        prefix: str,
        feedback: list[str],
        scope: dict[str, JsonValue],
    ) -> Turn | Plan:
        """Score every step, maybe ask for sign-off, and ask a person for the risky steps.

        Returns the plan to run (edited by the person, maybe), or how the turn ended.
        """
        assert record.plan is not None
        iteration = record.iteration
        authorization = await self.score(record.plan, f"{prefix}authorize", scope)
        if needs_signoff(self.call.office_input, authorization):
            signed = await self._sign_off(record, authorization, prefix, feedback, scope)
            if isinstance(signed, Turn):
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
                time_left = await self.time_limit.left(
                    self.call.runtime, f"{prefix}approve/time_limit"
                )
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
            await self.call.runtime.emit(
                "plan.refused",
                {**scope, "step_id": step.step_id, "reason": reason, "score": step.score},
                key=f"{prefix}plan/refused",
            )
            if status == "expired":
                # Nobody decided in time: escalate instead of guessing.
                return Turn(
                    category=DeadLetterCategory.POLICY,
                    reason=f"escalated: {reason}",
                    final=True,
                )
            feedback.append(f"iteration {iteration}: {reason}; plan without that step")
            return Turn(category=DeadLetterCategory.POLICY, reason=reason)
        return record.plan

    async def _sign_off(
        self,
        record: IterationRecord,
        authorization: Authorization,
        prefix: str,
        feedback: list[str],
        scope: dict[str, JsonValue],
    ) -> Turn | Authorization:
        """A person signs the plan off (maybe editing steps); the plan's new scores, or why not."""
        assert record.plan is not None
        signed = await sign_off(
            self.call, record.plan, authorization, key=f"{prefix}signoff", scope=scope
        )
        if signed.status == "expired":
            return Turn(
                category=DeadLetterCategory.POLICY,
                reason="escalated: nobody signed the plan off in time",
                final=True,
            )
        if signed.status != "approved":
            said = signed.comment or "no reason given"
            feedback.append(f"iteration {record.iteration}: a person rejected the plan: {said}")
            return Turn(category=DeadLetterCategory.POLICY, reason=f"plan rejected: {said}")
        if not signed.edited:
            return authorization
        plan = record.plan = signed.plan
        report = await self.call(
            f"{prefix}signoff/validate",
            self.call.agents.validate,
            ValidateInput(task=self.call.office_input.task, plan=plan.model_dump(mode="json")),
        )
        if report.decision is ValidationDecision.REJECTED:
            reasons = "; ".join(report.reasons())
            feedback.append(f"iteration {record.iteration}: the edited plan was invalid: {reasons}")
            return Turn(category=validation_category(report), reason=f"edited plan: {reasons}")
        return await self.score(plan, f"{prefix}signoff/authorize", scope)
