"""ValidationReport: the validator's verdict on a plan, layer by layer."""

from __future__ import annotations

from enum import StrEnum

from pydantic import ConfigDict, Field

from intelligent_office.models._fields import Contract

__all__ = ["ValidationDecision", "ValidationIssue", "ValidationLayer", "ValidationReport"]


class ValidationDecision(StrEnum):
    """Whether the plan may run."""

    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class ValidationLayer(StrEnum):
    """The layers a plan passes, in order (semantic: a model's review, when one is set up)."""

    SCHEMA = "schema"
    TOOLS = "tools"
    POLICY = "policy"
    RESOURCES = "resources"
    SEMANTIC = "semantic"


class ValidationIssue(Contract):
    """One reason a plan was rejected."""

    layer: ValidationLayer = Field(description="The layer that found the problem.")
    step_id: str | None = Field(default=None, description="The step at fault, if one is.")
    message: str = Field(description="What is wrong and what the planner should do instead.")


class ValidationReport(Contract):
    """APPROVED, or REJECTED with every reason found."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "plan_id": "s1-plan-1",
                    "decision": "REJECTED",
                    "issues": [
                        {
                            "layer": "policy",
                            "step_id": "find",
                            "message": "tool 'find_function' is not allowed for this task",
                        }
                    ],
                }
            ]
        }
    )

    plan_id: str = Field(description="The plan that was checked.")
    decision: ValidationDecision = Field(description="APPROVED or REJECTED.")
    issues: list[ValidationIssue] = Field(
        default_factory=list, description="Why it was rejected; empty when approved."
    )

    def reasons(self) -> list[str]:
        """The issues as lines a planner (or a person) can act on."""
        return [
            f"[{issue.layer}]{f' step {issue.step_id}:' if issue.step_id else ''} {issue.message}"
            for issue in self.issues
        ]
