"""Brains: what decomposes, plans, reviews and answers (offline rules or models)."""

from intelligent_office.llm.base import (
    Brain,
    PlanningResult,
    PlanRequest,
    ReviewRequest,
    ReviewResult,
    SubtaskAnswer,
    SynthesisRequest,
)
from intelligent_office.llm.offline import OfflineBrain

__all__ = [
    "Brain",
    "OfflineBrain",
    "PlanRequest",
    "PlanningResult",
    "ReviewRequest",
    "ReviewResult",
    "SubtaskAnswer",
    "SynthesisRequest",
]
