"""Tests for the JSON Schema export and the public names of models/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import intelligent_office.models as models
from intelligent_office.models.schema_export import (
    CONTRACTS,
    JSON_SCHEMA_DIALECT,
    write_json_schemas,
)


@pytest.fixture
def schemas(tmp_path: Path) -> dict[str, dict[str, Any]]:
    paths = write_json_schemas(tmp_path / "nested" / "schemas")
    return {path.name.removesuffix(".schema.json"): json.loads(path.read_text()) for path in paths}


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref is None:
        return node
    name = ref.removeprefix("#/$defs/")
    resolved: dict[str, Any] = schema["$defs"][name]
    return resolved


def _properties(schema: dict[str, Any], *path: str) -> dict[str, Any]:
    """Follow property names (and `[]` for array items) through $refs to an object's properties."""
    node = _resolve(schema, schema)
    for part in path:
        node = _resolve(schema, node["items"] if part == "[]" else node["properties"][part])
    properties: dict[str, Any] = node["properties"]
    return properties


def test_writes_one_file_per_contract_in_order(tmp_path: Path) -> None:
    paths = write_json_schemas(tmp_path / "out")

    assert [path.name for path in paths] == [
        "task.schema.json",
        "subtask_graph.schema.json",
        "plan.schema.json",
        "validation_report.schema.json",
        "execution_result.schema.json",
        "review.schema.json",
        "tool_gap_report.schema.json",
        "event.schema.json",
    ]
    assert all(path.read_text().endswith("}\n") for path in paths)
    assert paths[0].read_text().startswith('{\n  "$schema"')


def test_rewriting_is_stable(tmp_path: Path) -> None:
    first = [path.read_text() for path in write_json_schemas(tmp_path)]
    second = [path.read_text() for path in write_json_schemas(tmp_path)]

    assert first == second


def test_every_schema_is_a_documented_object_schema(schemas: dict[str, dict[str, Any]]) -> None:
    assert set(schemas) == set(CONTRACTS)
    for name, schema in schemas.items():
        assert schema["$schema"] == JSON_SCHEMA_DIALECT
        assert schema["type"] == "object", name
        assert schema["title"] == CONTRACTS[name].__name__
        assert schema["description"], name
        for field, prop in schema["properties"].items():
            if "$ref" not in prop:
                assert prop.get("description"), f"{name}.{field} has no description"


@pytest.mark.parametrize("name", list(CONTRACTS))
def test_examples_are_valid_instances(name: str, schemas: dict[str, dict[str, Any]]) -> None:
    model: type[BaseModel] = CONTRACTS[name]
    examples = schemas[name]["examples"]

    assert examples
    for example in examples:
        model.model_validate(example)


def test_task_schema(schemas: dict[str, dict[str, Any]]) -> None:
    task = schemas["task"]
    properties = _properties(task)

    assert set(properties) >= {
        "task_id",
        "description",
        "user_id",
        "priority",
        "deadline",
        "constraints",
        "context",
        "idempotency_key",
    }
    assert task["required"] == ["description"]
    assert properties["description"]["minLength"] == 1
    assert properties["priority"] == properties["priority"] | {
        "default": 5,
        "minimum": 0,
        "maximum": 10,
    }
    assert set(_properties(task, "constraints")) == {
        "max_cost",
        "max_tokens",
        "max_duration",
        "allowed_tools",
    }


def test_subtask_graph_schema(schemas: dict[str, dict[str, Any]]) -> None:
    subtask = _properties(schemas["subtask_graph"], "subtasks", "[]")

    assert {"subtask_id", "description", "dependencies", "tool_hints"} <= set(subtask)


def test_plan_schema(schemas: dict[str, dict[str, Any]]) -> None:
    plan = schemas["plan"]
    properties = _properties(plan)
    metadata = _properties(plan, "metadata")
    step = _properties(plan, "steps", "[]")

    assert set(plan["required"]) == {"plan_id", "task_id", "confidence", "metadata", "steps"}
    assert {"plan_id", "task_id", "generated_at", "confidence", "metadata", "steps"} <= set(
        properties
    )
    assert properties["confidence"]["minimum"] == 0 and properties["confidence"]["maximum"] == 1
    assert properties["generated_at"]["format"] == "date-time"
    assert set(metadata) == {
        "priority",
        "required_tools",
        "estimated_cost_tokens",
        "estimated_duration_seconds",
        "model_used",
        "context_sources",
        "risk_level",
    }
    assert _resolve(plan, metadata["risk_level"])["enum"] == ["low", "medium", "high"]
    assert set(step) == {
        "step_id",
        "action",
        "inputs",
        "outputs_expectation",
        "timeout_seconds",
        "parallelizable",
        "idempotency_key",
        "dependencies",
        "when",
        "for_each",
        "if_dependency_skipped",
    }
    assert step["if_dependency_skipped"]["enum"] == ["skip", "run"]
    assert step["timeout_seconds"]["default"] == 300
    assert step["timeout_seconds"]["exclusiveMinimum"] == 0
    assert step["parallelizable"]["default"] is False
    assert _resolve(plan, plan["properties"]["steps"]["items"])["additionalProperties"] is False


def test_execution_result_schema(schemas: dict[str, dict[str, Any]]) -> None:
    result = schemas["execution_result"]
    step = _properties(result, "steps", "[]")

    assert {"start_time", "end_time", "status", "outputs", "errors", "tool_calls"} <= set(step)
    assert set(_properties(result, "metrics")) == {
        "total_duration",
        "tokens_used",
        "tools_invoked",
        "cost",
    }


def test_review_schema(schemas: dict[str, dict[str, Any]]) -> None:
    review = schemas["review"]

    assert _resolve(review, _properties(review)["decision"])["enum"] == [
        "APPROVE",
        "REVISE",
        "ESCALATE",
        "FAIL",
    ]
    scores = _properties(review, "scores")
    assert set(scores) == {"completeness", "accuracy", "quality", "safety"}
    assert all(score["minimum"] == 0 and score["maximum"] == 1 for score in scores.values())


def test_public_names_are_pinned() -> None:
    assert sorted(models.__all__) == [
        "Criterion",
        "CriterionKind",
        "CriterionResult",
        "Event",
        "ExecutionMetrics",
        "ExecutionResult",
        "ExecutionStatus",
        "MissingTool",
        "Plan",
        "PlanMetadata",
        "Review",
        "ReviewDecision",
        "ReviewScores",
        "RiskLevel",
        "Step",
        "StepResult",
        "StepStatus",
        "Subtask",
        "SubtaskGraph",
        "Task",
        "TaskConstraints",
        "ToolCall",
        "ToolGapReport",
        "ValidationDecision",
        "ValidationIssue",
        "ValidationLayer",
        "ValidationReport",
    ]
    assert all(hasattr(models, name) for name in models.__all__)
