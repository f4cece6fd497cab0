"""A human decision on an approval: which answers fit which approval (revise is for
escalations, edits are for plans), and recording one and signalling the waiting run."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import JsonValue

from intelligent_office.errors import UserError
from intelligent_office.store import ApprovalRecord, Store

__all__ = ["check_response", "decide"]


def check_response(
    approval: ApprovalRecord,
    decision: str,
    edits: dict[str, dict[str, JsonValue]] | None,
) -> dict[str, Any] | None:
    """What to store and send besides the decision; a UserError for an answer that does not fit.

    Raises:
        UserError: `revised` on anything but an escalation, or edits on anything but an
            approved plan, or edits naming a step the plan does not have.
    """
    if decision == "revised" and approval.kind != "escalation":
        raise UserError(
            f"approval {approval.id} is a {approval.kind} approval: only an escalation can be"
            " sent back for a revision; approve or deny it"
        )
    if not edits:
        return None
    if approval.kind != "plan" or decision != "approved":
        raise UserError(
            f"approval {approval.id}: step edits only go with approving a plan sign-off"
        )
    steps = approval.detail.get("steps")
    known = (
        {s.get("step_id") for s in steps if isinstance(s, dict)}
        if isinstance(steps, list)
        else set()
    )
    for step_id, inputs in edits.items():
        if step_id not in known:
            listed = ", ".join(sorted(str(k) for k in known)) or "none"
            raise UserError(f"the plan has no step {step_id!r}: its steps are {listed}")
        if not isinstance(inputs, dict):
            raise UserError(f"the edited input of step {step_id} must be a JSON object")
    return {"edits": edits}


def decide(
    store: Store,
    approval_id: str,
    decision: Literal["approved", "denied", "revised"],
    *,
    by: str,
    comment: str | None,
    edits: dict[str, dict[str, JsonValue]] | None,
) -> ApprovalRecord:
    """Record a human decision (audited) and signal the run waiting for it.

    Deciding again the way it was decided only re-sends the signal, so a decision whose
    signal was cut off by a crash still reaches the run.

    Raises:
        UserError: no such approval, it was decided otherwise (or expired), or the
            decision does not fit its kind.
    """
    from intelligent_office.store.approvals import approval_signal

    current = store.approvals.require(approval_id)
    response = check_response(current, decision, edits)
    if current.status != decision or current.run_id is None:
        current = store.approvals.decide(
            approval_id, status=decision, by=by, comment=comment, response=response
        )
        store.audit.add(
            actor=by,
            action=f"approval.{decision}",
            subject=current.subject,
            reason=comment or "",
            task_id=current.task_id,
            run_id=current.run_id,
            detail={
                "approval_id": approval_id,
                "kind": current.kind,
                **{k: current.detail[k] for k in ("tool", "score") if k in current.detail},
                **(response or {}),
            },
        )
    if current.run_id is not None:
        payload: dict[str, JsonValue] = {"decision": decision, "by": by, "comment": comment}
        if current.response:
            payload["response"] = current.response
        store.signals.send(current.run_id, approval_signal(approval_id), payload)
    return current
