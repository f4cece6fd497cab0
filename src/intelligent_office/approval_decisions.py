"""Which answers fit which approval: revise is for escalations, edits are for plans."""

from __future__ import annotations

from typing import Any

from pydantic import JsonValue

from intelligent_office.errors import UserError
from intelligent_office.store import ApprovalRecord

__all__ = ["check_response"]


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
