"""A plan sign-off form: each step's input as JSON text, read back into edits."""

from __future__ import annotations

import json

from pydantic import JsonValue

from intelligent_office.errors import UserError
from intelligent_office.store import ApprovalRecord

__all__ = ["STEP_FIELD", "plan_edits"]

STEP_FIELD = "step:"
"""Form fields named `step:<step id>` hold that step's input as JSON."""


def plan_edits(approval: ApprovalRecord, fields: dict[str, str]) -> dict[str, dict[str, JsonValue]]:
    """The steps whose input the person changed, with their new input.

    Raises:
        UserError: a step's input is not a JSON object.
    """
    steps = approval.detail.get("steps")
    planned = {
        str(step.get("step_id")): step.get("inputs")
        for step in (steps if isinstance(steps, list) else [])
        if isinstance(step, dict)
    }
    edits: dict[str, dict[str, JsonValue]] = {}
    for name, text in fields.items():
        if not name.startswith(STEP_FIELD):
            continue
        step_id = name.removeprefix(STEP_FIELD)
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            raise UserError(f"step {step_id}: the input is not JSON ({error.msg})") from None
        if not isinstance(value, dict):
            raise UserError(f"step {step_id}: the input must be a JSON object, like {{...}}")
        if step_id in planned and value != planned[step_id]:
            edits[step_id] = value
    return edits
