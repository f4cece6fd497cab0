"""LearningSettings: how often `office serve` learns, how guidance is matched, the eval gate."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["LearningSettings"]


class LearningSettings(BaseModel):
    """Failure analysis, guidance retrieval and the prompt gate."""

    model_config = ConfigDict(extra="forbid")

    interval_seconds: float = Field(
        default=3600.0, ge=0, description="`office serve` runs `office learn` this often; 0: never."
    )
    max_rating: int = Field(
        default=2, ge=1, le=5, description="Ratings this low or lower count as failures."
    )
    min_similarity: float = Field(
        default=0.5, ge=0, le=1, description="Guidance applies to requests at least this similar."
    )
    same_intent_similarity: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="...or this similar when the request is of the same kind (e.g. a trace).",
    )
    top_k: int = Field(default=5, ge=1, le=50, description="Most guidance handed to a planner.")
    gate_margin: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="A candidate may lose at most this pass rate on any capability.",
    )
    gate_guidance: bool = Field(
        default=False,
        description="New guidance is proposed, not in effect, until an offline prompt version"
        " naming it passes the eval gate (`office learn --candidate`).",
    )
    auto_promote: bool = Field(
        default=False, description="`office prompts evaluate` promotes a candidate that passes."
    )
