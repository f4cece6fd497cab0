"""The condition language of `when` and `for_each`: what it allows, refuses and computes."""

from __future__ import annotations

import pytest

from intelligent_office.activities.conditions import ConditionError, StepState, parse_condition

STATES = {
    "ls": StepState("succeeded", {"files": ["a.py", "b.md"], "count": 2, "truncated": False}),
    "calc": StepState("succeeded", {"value": 42}),
    "off": StepState("skipped", None),
    "my-step": StepState("failed", None),
}


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("steps.ls.output.count > 1", True),
        ("len(steps.ls.output.files) == 2 and not steps.ls.output.truncated", True),
        ("'a.py' in steps.ls.output.files", True),
        ("'c.py' not in steps.ls.output.files", True),
        ("steps.ls.output.files[0] == 'a.py'", True),
        ("steps.ls.output['files'][-1]", "b.md"),
        ("0 < steps.calc.output.value <= 42", True),
        ("steps.calc.output.value == -1 or steps.off.status == 'skipped'", True),
        ('steps["my-step"].status', "failed"),
        ("steps.off.output", None),
        ("steps.ls.status in ['succeeded', 'failed']", True),
        ("steps.calc.output.value > 100", False),
    ],
)
def test_allowed_expressions_compute_over_the_steps(expression: str, value: object) -> None:
    assert parse_condition(expression).evaluate(STATES) == value


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("__import__('os').system('id')", "only len(...) may be called, not __import__"),
        ("steps.ls.output.count + 1 > 2", "(BinOp) is not allowed"),
        ("open('/etc/passwd')", "only len(...) may be called, not open"),
        ("steps.ls.__class__", "must read steps.<id>.output or steps.<id>.status"),
        ("os.environ", "refer to earlier steps as steps.<id>.output"),
        ("steps.ls.status.upper", "a step's status has no fields"),
        ("[x for x in steps.ls.output.files]", "(ListComp) is not allowed"),
        ("lambda: 1", "(Lambda) is not allowed"),
        ("steps.ls.output[steps.calc.output.value]", "must be a string or an integer"),
        ("steps.ls.output ==", "is not a valid expression"),
        ("", "the expression is empty"),
        ("len(steps.ls.output.files, 2)", "len takes exactly one argument"),
        ("1 == 1 " + "and 1 == 1 " * 200, "more than 500"),
    ],
)
def test_anything_else_is_refused_with_what_was_wrong(expression: str, message: str) -> None:
    with pytest.raises(ConditionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_condition(expression)


def test_the_steps_read_are_known_before_running() -> None:
    condition = parse_condition("len(steps.ls.output.files) > 0 and steps['my-step'].status")
    assert condition.steps == {"ls", "my-step"}


def test_a_missing_field_or_step_fails_with_a_clear_reason() -> None:
    with pytest.raises(ConditionError, match=r"steps.ls.output has no 'size' \(it has: count"):
        parse_condition("steps.ls.output.size > 1").evaluate(STATES)
    with pytest.raises(ConditionError, match="step 'other' has not finished here"):
        parse_condition("steps.other.status == 'succeeded'").evaluate(STATES)
    with pytest.raises(ConditionError, match="cannot be evaluated"):
        parse_condition("steps.off.output > 1").evaluate(STATES)
