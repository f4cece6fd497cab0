"""The built-in registry: every tool is there and its spec tells a planner enough to use it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intelligent_office.models.risk import RiskLevel
from intelligent_office.tools import ToolContext, ToolSpec
from intelligent_office.tools.builtin import builtin_tools

SPECS = builtin_tools().specs()


def test_registers_every_builtin_tool() -> None:
    assert builtin_tools().names() == [
        "calculate",
        "find_function",
        "list_files",
        "python_exec",
        "read_file",
        "search_files",
        "summarize_file",
        "trace_calls",
        "write_file",
    ]


def test_each_call_builds_a_new_registry() -> None:
    assert builtin_tools() is not builtin_tools()


@pytest.mark.parametrize("spec", SPECS, ids=[spec.name for spec in SPECS])
def test_spec_describes_the_tool_and_every_parameter(spec: ToolSpec) -> None:
    assert spec.description and spec.description != spec.name
    assert isinstance(spec.risk_level, RiskLevel)
    schema = spec.parameters
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    properties = schema["properties"]
    assert isinstance(properties, dict) and properties
    for name, prop in properties.items():
        assert isinstance(prop, dict)
        assert prop.get("description"), f"{spec.name}.{name} has no description"
    assert set(spec.path_parameters) <= set(properties)
    json.dumps(spec.model_dump(mode="json"))


def test_risk_levels() -> None:
    risks = {spec.name: spec.risk_level for spec in SPECS}
    assert risks["python_exec"] == RiskLevel.HIGH
    assert risks["write_file"] == RiskLevel.MEDIUM
    assert {name for name, risk in risks.items() if risk == RiskLevel.LOW} == {
        "calculate",
        "find_function",
        "list_files",
        "read_file",
        "search_files",
        "summarize_file",
        "trace_calls",
    }


async def test_tools_are_callable_through_the_registry(tmp_path: Path) -> None:
    registry = builtin_tools()
    ctx = ToolContext(workspace=tmp_path)
    await registry.call("write_file", ctx, {"path": "n.txt", "content": "6 * 7"})
    text = await registry.call("read_file", ctx, {"path": "n.txt"})
    assert isinstance(text, dict) and isinstance(text["content"], str)
    result = await registry.call("calculate", ctx, {"expression": text["content"]})
    assert result == {"expression": "6 * 7", "value": 42}
