"""Tests for ExecutionResult and its parts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from intelligent_office.models import (
    ExecutionMetrics,
    ExecutionResult,
    ExecutionStatus,
    StepResult,
    StepStatus,
    ToolCall,
)

START = datetime(2026, 11, 21, 8, 0, 1, tzinfo=UTC)
END = datetime(2026, 11, 21, 8, 0, 3, tzinfo=UTC)


def test_round_trip_through_json() -> None:
    result = ExecutionResult(
        execution_id="e-1",
        plan_id="p-1",
        status=ExecutionStatus.PARTIAL,
        steps=[
            StepResult(
                step_id="s1",
                status=StepStatus.SUCCEEDED,
                start_time=START,
                end_time=END,
                outputs={"path": ["main", "process_data"]},
                tool_calls=[
                    ToolCall(
                        tool="trace_calls",
                        arguments={"root": "./src"},
                        result={"path": ["main"]},
                        duration_seconds=1.5,
                    )
                ],
            ),
            StepResult(
                step_id="s2",
                status=StepStatus.TIMED_OUT,
                start_time=START,
                errors=["timed out after 60s", "timed out after 60s"],
            ),
            StepResult(step_id="s3", status=StepStatus.SKIPPED),
        ],
        metrics=ExecutionMetrics(total_duration=2.0, tokens_used=10, tools_invoked=1, cost=0.01),
    )

    restored = ExecutionResult.model_validate_json(result.model_dump_json())

    assert restored == result
    assert restored.steps[1].status is StepStatus.TIMED_OUT


def test_defaults() -> None:
    result = ExecutionResult(execution_id="e-1", plan_id="p-1", status=ExecutionStatus.FAILED)

    assert result.steps == []
    assert result.metrics == ExecutionMetrics(
        total_duration=0, tokens_used=0, tools_invoked=0, cost=0
    )


def test_end_before_start_is_rejected() -> None:
    with pytest.raises(ValidationError, match="step 's1' has end_time .* before start_time"):
        StepResult(step_id="s1", status=StepStatus.FAILED, start_time=END, end_time=START)


def test_duplicate_step_results_are_rejected() -> None:
    with pytest.raises(ValidationError, match="duplicate step id\\(s\\) 's1'"):
        ExecutionResult(
            execution_id="e-1",
            plan_id="p-1",
            status=ExecutionStatus.SUCCEEDED,
            steps=[
                StepResult(step_id="s1", status=StepStatus.SUCCEEDED),
                StepResult(step_id="s1", status=StepStatus.SUCCEEDED),
            ],
        )


@pytest.mark.parametrize("field", ["total_duration", "tokens_used", "tools_invoked", "cost"])
def test_metrics_must_not_be_negative(field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ExecutionMetrics.model_validate({field: -1})

    assert [error["loc"] for error in caught.value.errors()] == [(field,)]


def test_unknown_status_is_rejected() -> None:
    with pytest.raises(ValidationError) as caught:
        StepResult.model_validate({"step_id": "s1", "status": "done"})

    assert caught.value.errors()[0]["loc"] == ("status",)
