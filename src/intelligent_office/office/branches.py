"""Conditional steps and loops of a plan, as the executor runs them.

Deterministic workflow code. A step's `when` decides, once its dependencies are done,
whether it runs or is skipped (status `skipped`, a branch not taken); a step's
`for_each` yields the list its tool runs over, at most `max_for_each_items` long.
The expression language is in `agents/conditions.py`.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import JsonValue

from intelligent_office.activities.conditions import ConditionError, StepState, parse_condition
from intelligent_office.activities.messages import StepOutput
from intelligent_office.engine.graph import NodeCondition
from intelligent_office.engine.result import NodeResult, NodeStatus
from intelligent_office.models import Step

__all__ = ["DEFAULT_MAX_FOR_EACH_ITEMS", "branch_fields", "items_of", "skip_reason"]

DEFAULT_MAX_FOR_EACH_ITEMS = 20
"""Most items one `for_each` step runs over unless the settings say otherwise."""

_STATUS = {
    NodeStatus.COMPLETED: "succeeded",
    NodeStatus.FAILED: "failed",
    NodeStatus.SKIPPED: "skipped",
    NodeStatus.CANCELLED: "skipped",
}


def _state(result: NodeResult) -> StepState:
    output = result.output.result if isinstance(result.output, StepOutput) else None
    return StepState(status=_STATUS.get(result.status, result.status.value), output=output)


def skip_reason(step: Step) -> NodeCondition:
    """The engine condition of a step with a `when`: the reason to skip it, or None."""
    assert step.when is not None
    condition = parse_condition(step.when)

    def decide(results: Mapping[str, NodeResult]) -> str | None:
        states = {
            step_id: _state(results[step_id]) for step_id in condition.steps if step_id in results
        }
        if condition.holds(states):
            return None
        return f"condition is false: {condition.text}"

    return decide


def items_of(step: Step, upstream: Mapping[str, JsonValue], max_items: int) -> list[JsonValue]:
    """The items a `for_each` step runs over.

    Raises:
        ConditionError: the expression is not a list, or the list is longer than allowed.
    """
    assert step.for_each is not None
    expression = parse_condition(step.for_each)
    states = {
        step_id: StepState(status="succeeded", output=upstream[step_id])
        for step_id in expression.steps
        if step_id in upstream
    }
    items = expression.evaluate(states)
    if not isinstance(items, list):
        raise ConditionError(
            f"for_each {step.for_each!r} gave {type(items).__name__}, not a list:"
            " point it at a list output"
        )
    if len(items) > max_items:
        raise ConditionError(
            f"for_each {step.for_each!r} gave {len(items)} items, more than the limit of"
            f" {max_items} (setting max_for_each_items): narrow the list or split the task"
        )
    return list(items)


def branch_fields(step: Step) -> dict[str, JsonValue]:
    """A step's `when`, `for_each` and `if_dependency_skipped`, where set, for its event."""
    fields: dict[str, JsonValue] = {}
    if step.when is not None:
        fields["when"] = step.when
    if step.for_each is not None:
        fields["for_each"] = step.for_each
    if step.if_dependency_skipped != "skip":
        fields["if_dependency_skipped"] = step.if_dependency_skipped
    return fields
