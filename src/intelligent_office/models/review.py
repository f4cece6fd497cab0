"""Review: the reviewer's verdict on an execution, with feedback and scores."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import ConfigDict, Field, model_validator

from intelligent_office.models._fields import Contract, NonEmptyStr
from intelligent_office.models.criteria import CriterionResult

__all__ = ["Review", "ReviewDecision", "ReviewScores"]


class ReviewDecision(StrEnum):
    """What happens next: done, plan again, ask a human, or give up."""

    APPROVE = "APPROVE"
    REVISE = "REVISE"
    ESCALATE = "ESCALATE"
    FAIL = "FAIL"


class ReviewScores(Contract):
    """Per-criterion scores from 0 (worst) to 1 (best)."""

    completeness: float = Field(ge=0, le=1, description="All objectives of the task are met.")
    accuracy: float = Field(ge=0, le=1, description="The results match what was expected.")
    quality: float = Field(ge=0, le=1, description="The output meets the expected standard.")
    safety: float = Field(ge=0, le=1, description="No harmful content or actions.")


class Review(Contract):
    """The reviewer's decision on an execution result, with feedback and scores."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "plan_id": "p-s2-1",
                    "decision": "REVISE",
                    "feedback": "The call path skips load(); trace through imported modules too.",
                    "scores": {
                        "completeness": 0.6,
                        "accuracy": 0.7,
                        "quality": 0.8,
                        "safety": 1.0,
                    },
                }
            ]
        }
    )

    plan_id: NonEmptyStr | None = Field(
        default=None, description="The plan whose execution was reviewed."
    )
    decision: ReviewDecision = Field(description="APPROVE, REVISE, ESCALATE or FAIL.")
    feedback: str = Field(
        default="",
        description="Why, and for REVISE what to change; required unless the decision is APPROVE.",
    )
    scores: ReviewScores = Field(description="Completeness, accuracy, quality and safety, 0 to 1.")
    criteria: list[CriterionResult] = Field(
        default_factory=list, description="The task's own acceptance criteria, each judged."
    )

    @model_validator(mode="after")
    def _check_feedback(self) -> Self:
        self.feedback = self.feedback.strip()
        if self.decision is not ReviewDecision.APPROVE and not self.feedback:
            raise ValueError(
                f"feedback must not be empty when the decision is {self.decision.value}:"
                " say what was wrong"
            )
        return self
