"""Tests for Plan, PlanMetadata and Step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from intelligent_office.models import Plan, PlanMetadata, RiskLevel, Step


def _plan(steps: list[dict[str, Any]], **fields: Any) -> Plan:
    data: dict[str, Any] = {
        "plan_id": "p-1",
        "task_id": "t-1",
        "confidence": 0.8,
        "metadata": {"model_used": "offline"},
        "steps": steps,
        **fields,
    }
    return Plan.model_validate(data)


def test_defaults() -> None:
    before = datetime.now(UTC)
    plan = _plan([{"step_id": "s1", "action": "calculate"}])

    step = plan.steps[0]
    assert step.timeout_seconds == 300
    assert step.parallelizable is False
    assert step.inputs == {} and step.dependencies == [] and step.outputs_expectation is None
    assert plan.metadata.priority == 5
    assert plan.metadata.risk_level is RiskLevel.LOW
    assert before <= plan.generated_at <= datetime.now(UTC) + timedelta(seconds=1)


def test_missing_idempotency_keys_are_derived_from_plan_and_step() -> None:
    plan = _plan(
        [
            {"step_id": "s1", "action": "write_file"},
            {"step_id": "s2", "action": "write_file", "idempotency_key": "mine"},
        ]
    )

    assert [step.idempotency_key for step in plan.steps] == ["p-1/s1", "mine"]


def test_round_trip_through_json() -> None:
    plan = Plan(
        plan_id="p-1",
        task_id="t-1",
        subtask_id="s2",
        generated_at=datetime(2026, 11, 21, 8, tzinfo=UTC),
        confidence=1.0,
        metadata=PlanMetadata(
            priority=7,
            required_tools=["trace_calls", "write_file"],
            estimated_cost_tokens=1500,
            estimated_duration_seconds=20.5,
            model_used="openai:gpt-4o",
            context_sources=["memory:plan/42"],
            risk_level=RiskLevel.HIGH,
        ),
        steps=[
            Step(
                step_id="trace",
                action="trace_calls",
                inputs={"root": "./src"},
                outputs_expectation={"path": "list"},
                timeout_seconds=0.5,
                parallelizable=True,
            ),
            Step(step_id="save", action="write_file", dependencies=["trace"]),
        ],
    )

    restored = Plan.model_validate_json(plan.model_dump_json())

    assert restored == plan
    assert restored.metadata.risk_level is RiskLevel.HIGH
    assert plan.model_dump(mode="json")["metadata"]["risk_level"] == "high"


@pytest.mark.parametrize("confidence", [-0.1, 1.01])
def test_confidence_must_be_between_0_and_1(confidence: float) -> None:
    with pytest.raises(ValidationError) as caught:
        _plan([{"step_id": "s1", "action": "a"}], confidence=confidence)

    assert [error["loc"] for error in caught.value.errors()] == [("confidence",)]


@pytest.mark.parametrize(
    ("step", "loc"),
    [
        ({"step_id": "s1", "action": "a", "timeout_seconds": 0}, ("steps", 0, "timeout_seconds")),
        ({"step_id": " ", "action": "a"}, ("steps", 0, "step_id")),
        ({"step_id": "s1", "action": ""}, ("steps", 0, "action")),
        ({"step_id": "s1", "action": "a", "timeout": 10}, ("steps", 0, "timeout")),
    ],
)
def test_bad_steps_name_the_field(step: dict[str, Any], loc: tuple[object, ...]) -> None:
    with pytest.raises(ValidationError) as caught:
        _plan([step])

    assert [error["loc"] for error in caught.value.errors()] == [loc]


def test_risk_level_must_be_known() -> None:
    with pytest.raises(ValidationError) as caught:
        _plan([{"step_id": "s1", "action": "a"}], metadata={"model_used": "x", "risk_level": "?"})

    assert caught.value.errors()[0]["loc"] == ("metadata", "risk_level")


def test_model_used_is_required() -> None:
    with pytest.raises(ValidationError) as caught:
        _plan([{"step_id": "s1", "action": "a"}], metadata={})

    assert caught.value.errors()[0]["loc"] == ("metadata", "model_used")


def test_plan_needs_at_least_one_step() -> None:
    with pytest.raises(ValidationError, match="steps"):
        _plan([])


def test_duplicate_step_ids_are_rejected() -> None:
    with pytest.raises(ValidationError, match="duplicate step id\\(s\\) 's1'"):
        _plan([{"step_id": "s1", "action": "a"}, {"step_id": "s1", "action": "b"}])


def test_unknown_dependency_is_rejected_naming_step_and_dependency() -> None:
    with pytest.raises(ValidationError) as caught:
        _plan(
            [
                {"step_id": "s1", "action": "a"},
                {"step_id": "s2", "action": "b", "dependencies": ["s1", "s3"]},
            ]
        )

    assert "step 's2' depends on unknown step(s) 's3' (known: 's1', 's2')" in str(caught.value)


def test_self_dependency_is_rejected() -> None:
    with pytest.raises(ValidationError, match="step 's1' depends on itself"):
        _plan([{"step_id": "s1", "action": "a", "dependencies": ["s1"]}])


def test_all_dependency_problems_are_reported_together() -> None:
    with pytest.raises(ValidationError) as caught:
        _plan(
            [
                {"step_id": "s1", "action": "a", "dependencies": ["s1"]},
                {"step_id": "s2", "action": "b", "dependencies": ["nope"]},
            ]
        )

    message = str(caught.value)
    assert "'s1' depends on itself" in message
    assert "'s2' depends on unknown step(s) 'nope'" in message


def test_step_lookup() -> None:
    plan = _plan([{"step_id": "s1", "action": "a"}])

    assert plan.step("s1").action == "a"
    with pytest.raises(KeyError):
        plan.step("s2")
