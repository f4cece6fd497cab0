"""Plan: the steps that carry out one subtask, with the planner's confidence."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import ConfigDict, Field, JsonValue, model_validator

from intelligent_office.models._dependencies import check_dependencies
from intelligent_office.models._fields import (
    Contract,
    NonEmptyItem,
    NonEmptyStr,
    UtcDatetime,
    utc_now,
)
from intelligent_office.models.risk import RiskLevel

__all__ = ["Plan", "PlanMetadata", "Step"]


class PlanMetadata(Contract):
    """What a plan needs and where it came from: tools, estimates, model, sources, risk."""

    priority: int = Field(
        default=5, ge=0, le=10, description="Priority from 0 (lowest) to 10 (highest)."
    )
    required_tools: list[NonEmptyItem] = Field(
        default_factory=list, description="Names of every tool the steps call."
    )
    estimated_cost_tokens: int | None = Field(
        default=None, ge=0, description="Expected LLM tokens to run the plan; None if unknown."
    )
    estimated_duration_seconds: float | None = Field(
        default=None, ge=0, description="Expected wall-clock time in seconds; None if unknown."
    )
    model_used: NonEmptyStr = Field(
        description="The model that wrote the plan, e.g. openai:gpt-4o, or offline."
    )
    context_sources: list[NonEmptyItem] = Field(
        default_factory=list,
        description="Memory entries and documents the planner drew on (ids or URIs).",
    )
    risk_level: RiskLevel = Field(
        default=RiskLevel.LOW, description="The highest risk of any step: low, medium or high."
    )


class Step(Contract):
    """One tool call in a plan, run once its dependencies are done."""

    step_id: NonEmptyStr = Field(description="Id of the step, unique within its plan.")
    action: NonEmptyStr = Field(description="Name of the tool the step calls.")
    inputs: dict[str, JsonValue] = Field(
        default_factory=dict,
        description="Arguments for the tool; may reference earlier steps' outputs.",
    )
    outputs_expectation: dict[str, JsonValue] | None = Field(
        default=None,
        description="What the outputs should look like, for the reviewer; None if unspecified.",
    )
    timeout_seconds: float = Field(
        default=300, gt=0, description="Longest one attempt of the step may run, in seconds."
    )
    parallelizable: bool = Field(
        default=False,
        description="Whether it may run at the same time as other ready steps.",
    )
    idempotency_key: NonEmptyStr | None = Field(
        default=None,
        description=(
            "Key a non-idempotent tool uses to apply its effect once;"
            " defaults to '<plan_id>/<step_id>'."
        ),
    )
    dependencies: list[NonEmptyItem] = Field(
        default_factory=list, description="Ids of the steps that must finish first."
    )
    when: NonEmptyStr | None = Field(
        default=None,
        description=(
            "Run the step only if this expression over its dependencies' results is true,"
            " e.g. `steps.count.output.matches > 0`; skipped otherwise. None: always run."
        ),
    )
    for_each: NonEmptyStr | None = Field(
        default=None,
        description=(
            "Run the tool once per item of this list, e.g. `steps.ls.output.files`;"
            " inputs reach the item as ${item} or ${item.field}. None: run once."
        ),
    )
    if_dependency_skipped: Literal["skip", "run"] = Field(
        default="skip",
        description="When a dependency was skipped: skip this step too, or run it anyway.",
    )


class Plan(Contract):
    """How to carry out one subtask: steps forming a DAG, with the planner's confidence."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "plan_id": "p-s2-1",
                    "task_id": "3f0c9d6e2b8a4c1d9e7f5a3b1c0d2e4f",
                    "subtask_id": "s2",
                    "generated_at": "2026-11-21T08:00:00Z",
                    "confidence": 0.85,
                    "metadata": {
                        "priority": 7,
                        "required_tools": ["trace_calls", "write_file"],
                        "estimated_cost_tokens": 1500,
                        "estimated_duration_seconds": 20,
                        "model_used": "offline",
                        "context_sources": ["memory:plan/42"],
                        "risk_level": "medium",
                    },
                    "steps": [
                        {
                            "step_id": "trace",
                            "action": "trace_calls",
                            "inputs": {"root": "./src", "start": "main", "end": "process_data"},
                            "outputs_expectation": {"path": "list of function names"},
                            "timeout_seconds": 60,
                        },
                        {
                            "step_id": "save",
                            "action": "write_file",
                            "inputs": {"path": "callgraph.md", "content": "${trace.path}"},
                            "idempotency_key": "p-s2-1/save",
                            "dependencies": ["trace"],
                        },
                    ],
                }
            ]
        }
    )

    plan_id: NonEmptyStr = Field(description="Unique id of the plan.")
    task_id: NonEmptyStr = Field(description="The task the plan belongs to.")
    subtask_id: NonEmptyStr | None = Field(
        default=None,
        description="The subtask the plan carries out; None if the task was not decomposed.",
    )
    generated_at: UtcDatetime = Field(
        default_factory=utc_now, description="When the plan was written (UTC)."
    )
    confidence: float = Field(
        ge=0, le=1, description="The planner's confidence that the plan will succeed, 0 to 1."
    )
    metadata: PlanMetadata = Field(description="Tools, estimates, model, sources and risk.")
    steps: list[Step] = Field(
        min_length=1, description="The steps; dependencies refer to their step_id."
    )

    @model_validator(mode="after")
    def _check_steps(self) -> Self:
        check_dependencies("step", [(step.step_id, step.dependencies) for step in self.steps])
        for step in self.steps:
            if step.idempotency_key is None:
                step.idempotency_key = f"{self.plan_id}/{step.step_id}"
        return self

    def step(self, step_id: str) -> Step:
        """Return the step with this id; raise KeyError if there is none."""
        for step in self.steps:
            if step.step_id == step_id:
                return step
        raise KeyError(step_id)
