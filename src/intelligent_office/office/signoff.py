"""Plan sign-off: a validated plan waits for a person before any of it runs.

Deterministic workflow code. Whether a plan waits is decided by the run's input (the
task asked for it, its tenant always signs off, or a step scores at or above the
sign-off threshold), so a replay takes the same path. The person sees every step with
its input and risk score (an approval of kind `plan`), and approves it as it is,
approves it with edited step inputs (`response.edits`: step id -> new input object), or
rejects it with a reason the planner gets as feedback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import JsonValue

from intelligent_office.activities.messages import Authorization
from intelligent_office.models import Plan
from intelligent_office.office.calls import AgentCaller
from intelligent_office.office.contracts import OfficeInput

__all__ = ["SignOff", "apply_edits", "needs_signoff", "plan_card", "sign_off"]


@dataclass(frozen=True)
class SignOff:
    """How the person answered: the plan to run (edited or not), or why not."""

    status: str
    """approved, denied or expired."""
    plan: Plan
    comment: str = ""
    edited: list[str] = field(default_factory=list)
    """The steps whose input the person changed."""


def needs_signoff(office_input: OfficeInput, authorization: Authorization) -> bool:
    """Whether this plan waits for a person before it runs."""
    if office_input.signoff == "always":
        return True
    threshold = office_input.signoff_risk_threshold
    return threshold is not None and any(s.score >= threshold for s in authorization.steps)


def plan_card(plan: Plan, authorization: Authorization) -> dict[str, JsonValue]:
    """What the person sees: each step's tool, input and risk."""
    scored = {step.step_id: step for step in authorization.steps}
    steps: list[JsonValue] = []
    for step in plan.steps:
        risk = scored.get(step.step_id)
        steps.append(
            {
                "step_id": step.step_id,
                "tool": step.action,
                "inputs": step.inputs,
                "dependencies": list(step.dependencies),
                "decision": risk.decision if risk else "run",
                "score": risk.score if risk else 0,
                "signals": dict(risk.signals) if risk else {},
                "reason": risk.reason if risk else "",
            }
        )
    return {
        "plan_id": plan.plan_id,
        "subtask_id": plan.subtask_id,
        "confidence": plan.confidence,
        "max_score": max((s.score for s in authorization.steps), default=0),
        "steps": steps,
    }


def apply_edits(plan: Plan, edits: dict[str, Any]) -> tuple[Plan, list[str]]:
    """The plan with each edited step's input replaced, and which steps changed."""
    changed: list[str] = []
    steps = []
    for step in plan.steps:
        new = edits.get(step.step_id)
        if isinstance(new, dict) and new != step.inputs:
            steps.append(step.model_copy(update={"inputs": new}))
            changed.append(step.step_id)
        else:
            steps.append(step)
    return plan.model_copy(update={"steps": steps}), changed


async def sign_off(
    call: AgentCaller,
    plan: Plan,
    authorization: Authorization,
    *,
    key: str,
    scope: dict[str, JsonValue],
) -> SignOff:
    """Ask a person to sign the plan off and wait, durably, for the answer."""
    card = plan_card(plan, authorization)
    subject = (
        f"plan for subtask {plan.subtask_id}: {len(plan.steps)} step(s),"
        f" highest risk {card['max_score']}/100"
    )
    decision = await call.approval(key, kind="plan", subject=subject, detail=card)
    if decision.status != "approved":
        return SignOff(status=decision.status, plan=plan, comment=decision.comment)
    edits = decision.response.get("edits")
    edited_plan, changed = apply_edits(plan, edits if isinstance(edits, dict) else {})
    if changed:
        await call.runtime.emit(
            "plan.edited",
            {
                **scope,
                "plan_id": plan.plan_id,
                "by": decision.by,
                "steps": [
                    {"step_id": step.step_id, "inputs": step.inputs}
                    for step in edited_plan.steps
                    if step.step_id in changed
                ],
            },
            key=f"{key}/edited",
        )
    return SignOff(status="approved", plan=edited_plan, comment=decision.comment, edited=changed)
