"""ExecutionResult: what happened when a plan's steps ran."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import ConfigDict, Field, JsonValue, model_validator

from intelligent_office.models._dependencies import check_dependencies
from intelligent_office.models._fields import Contract, NonEmptyStr, UtcDatetime

__all__ = [
    "ExecutionMetrics",
    "ExecutionResult",
    "ExecutionStatus",
    "StepResult",
    "StepStatus",
    "ToolCall",
]


class StepStatus(StrEnum):
    """Where one step got to."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    SKIPPED = "skipped"


class ExecutionStatus(StrEnum):
    """How the run of a whole plan ended."""

    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ToolCall(Contract):
    """One call a step made to a tool."""

    tool: NonEmptyStr = Field(description="Name of the tool called.")
    arguments: dict[str, JsonValue] = Field(
        default_factory=dict, description="Arguments the tool was called with."
    )
    result: JsonValue = Field(default=None, description="What the tool returned, if it returned.")
    error: str | None = Field(default=None, description="The error it raised; None on success.")
    duration_seconds: float | None = Field(
        default=None, ge=0, description="How long the call took, in seconds."
    )


class StepResult(Contract):
    """The outcome of one step: status, timing, outputs, errors and tool calls."""

    step_id: NonEmptyStr = Field(description="The step of the plan this result is for.")
    status: StepStatus = Field(description="Where the step got to.")
    start_time: UtcDatetime | None = Field(
        default=None, description="When the step started (UTC); None if it never started."
    )
    end_time: UtcDatetime | None = Field(
        default=None, description="When the step ended (UTC); None if it has not ended."
    )
    outputs: dict[str, JsonValue] = Field(
        default_factory=dict, description="What the step produced; later steps may use it."
    )
    errors: list[str] = Field(
        default_factory=list, description="Error messages, one per failed attempt."
    )
    tool_calls: list[ToolCall] = Field(
        default_factory=list, description="The tool calls the step made, in order."
    )

    @model_validator(mode="after")
    def _check_times(self) -> Self:
        if self.start_time and self.end_time and self.end_time < self.start_time:
            raise ValueError(
                f"step '{self.step_id}' has end_time {self.end_time.isoformat()}"
                f" before start_time {self.start_time.isoformat()}"
            )
        return self


class ExecutionMetrics(Contract):
    """Totals for one run of a plan."""

    total_duration: float = Field(default=0, ge=0, description="Wall-clock time in seconds.")
    tokens_used: int = Field(default=0, ge=0, description="LLM tokens used by the steps.")
    tools_invoked: int = Field(default=0, ge=0, description="Number of tool calls made.")
    cost: float = Field(default=0, ge=0, description="Money spent, in USD.")


class ExecutionResult(Contract):
    """What happened when a plan ran: one result per step and the run's totals."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "execution_id": "p-s2-1/run/1",
                    "plan_id": "p-s2-1",
                    "status": "succeeded",
                    "steps": [
                        {
                            "step_id": "trace",
                            "status": "succeeded",
                            "start_time": "2026-11-21T08:00:01Z",
                            "end_time": "2026-11-21T08:00:03Z",
                            "outputs": {"path": ["main", "load", "process_data"]},
                            "tool_calls": [
                                {
                                    "tool": "trace_calls",
                                    "arguments": {"root": "./src"},
                                    "result": ["main", "load", "process_data"],
                                    "duration_seconds": 1.8,
                                }
                            ],
                        }
                    ],
                    "metrics": {
                        "total_duration": 2.1,
                        "tokens_used": 0,
                        "tools_invoked": 1,
                        "cost": 0.0,
                    },
                }
            ]
        }
    )

    execution_id: NonEmptyStr = Field(description="Unique id of this run of the plan.")
    plan_id: NonEmptyStr = Field(description="The plan that ran.")
    status: ExecutionStatus = Field(description="How the run ended.")
    steps: list[StepResult] = Field(
        default_factory=list, description="One result per step of the plan that was reached."
    )
    metrics: ExecutionMetrics = Field(
        default_factory=ExecutionMetrics, description="Duration, tokens, tool calls and cost."
    )

    @model_validator(mode="after")
    def _check_steps(self) -> Self:
        check_dependencies("step", [(step.step_id, ()) for step in self.steps])
        return self
