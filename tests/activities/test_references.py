"""The `${step.field}` reference syntax between plan steps."""

from __future__ import annotations

import pytest

from intelligent_office.activities.references import find_references, resolve_references
from intelligent_office.errors import ToolError

OUTPUTS = {
    "trace": {"paths": [{"functions": ["main", "run"]}], "found": True},
    "calc": {"value": 4},
}


def test_a_whole_reference_keeps_its_json_type() -> None:
    resolved = resolve_references(
        {"names": "${trace.paths.0.functions}", "n": "${calc.value}"}, OUTPUTS
    )
    assert resolved == {"names": ["main", "run"], "n": 4}


def test_a_reference_inside_text_becomes_text_and_nested_values_resolve() -> None:
    resolved = resolve_references(
        {"content": "value=${calc.value}, found=${trace.found}", "list": [{"x": "${calc}"}]},
        OUTPUTS,
    )
    assert resolved == {"content": "value=4, found=true", "list": [{"x": {"value": 4}}]}


def test_double_dollar_escapes_a_literal() -> None:
    assert resolve_references({"t": "cost $${calc.value}"}, OUTPUTS) == {"t": "cost ${calc.value}"}
    assert find_references({"t": "$${calc.value}"}) == []


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"x": "${calc.total}"}, "calc has no 'total' (it has: value)"),
        ({"x": "${trace.paths.5}"}, "trace.paths has no '5'"),
        ({"x": "${other.value}"}, "step 'other' has no output here; make it a dependency"),
    ],
)
def test_broken_references_say_what_is_missing(inputs: dict[str, str], message: str) -> None:
    with pytest.raises(ToolError, match=message.replace("(", r"\(").replace(")", r"\)")):
        resolve_references(inputs, OUTPUTS)
