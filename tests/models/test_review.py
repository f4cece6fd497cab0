"""Tests for Review."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from intelligent_office.models import Review, ReviewDecision, ReviewScores

SCORES = ReviewScores(completeness=1, accuracy=0.9, quality=0.8, safety=1)


def test_decisions_are_the_issue_values() -> None:
    assert [decision.value for decision in ReviewDecision] == [
        "APPROVE",
        "REVISE",
        "ESCALATE",
        "FAIL",
    ]


def test_round_trip_through_json() -> None:
    review = Review(
        plan_id="p-1", decision=ReviewDecision.REVISE, feedback="Add tests", scores=SCORES
    )

    restored = Review.model_validate_json(review.model_dump_json())

    assert restored == review
    assert restored.decision is ReviewDecision.REVISE
    assert review.model_dump(mode="json")["decision"] == "REVISE"


def test_approve_needs_no_feedback() -> None:
    assert Review(decision=ReviewDecision.APPROVE, scores=SCORES).feedback == ""


@pytest.mark.parametrize(
    "decision", [ReviewDecision.REVISE, ReviewDecision.ESCALATE, ReviewDecision.FAIL]
)
def test_other_decisions_need_feedback(decision: ReviewDecision) -> None:
    with pytest.raises(ValidationError, match=f"feedback must not be empty .* {decision.value}"):
        Review(decision=decision, feedback="  ", scores=SCORES)


@pytest.mark.parametrize("criterion", ["completeness", "accuracy", "quality", "safety"])
@pytest.mark.parametrize("score", [-0.01, 1.5])
def test_scores_must_be_between_0_and_1(criterion: str, score: float) -> None:
    scores = SCORES.model_dump() | {criterion: score}

    with pytest.raises(ValidationError) as caught:
        Review.model_validate({"decision": "APPROVE", "scores": scores})

    assert [error["loc"] for error in caught.value.errors()] == [("scores", criterion)]


def test_unknown_decision_is_rejected() -> None:
    with pytest.raises(ValidationError) as caught:
        Review.model_validate({"decision": "approve", "scores": SCORES.model_dump()})

    assert caught.value.errors()[0]["loc"] == ("decision",)
