"""The risk score: a logistic model over a step's signals, and the decision it makes.

    score = 100 * sigmoid(bias + sum(weight[name] * signal[name]))

The score reads as the chance, in percent, that a person would refuse the step. The
defaults below are set by hand so that today's safe steps score low and a policy's
`require_approval` lands between the thresholds; `office risk calibrate` fits them to
the decisions people actually made. Thresholds then decide:

    policy deny, or score >= refuse_threshold   -> refuse
    policy asks, a high-risk call, or score >= ask_threshold -> ask a person
    otherwise                                    -> run
"""

from __future__ import annotations

import json
import math
from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from intelligent_office.errors import ConfigError

__all__ = ["DEFAULT_WEIGHTS", "FEATURES", "RiskDecision", "RiskModel", "RiskScore", "RiskWeights"]

FEATURES = (
    "declared_risk",
    "policy_risk",
    "policy_asks",
    "plan_doubt",
    "outside_out",
    "network",
    "deletes",
    "size",
    "failure_rate",
    "denial_rate",
)
"""The signals, in the order the model (and calibration) uses them."""

DEFAULT_WEIGHTS: dict[str, float] = {
    "declared_risk": 1.5,
    "policy_risk": 1.5,
    "policy_asks": 2.0,
    "plan_doubt": 1.5,
    "outside_out": 1.0,
    "network": 1.5,
    "deletes": 3.0,
    "size": 1.0,
    "failure_rate": 1.5,
    "denial_rate": 2.0,
}
DEFAULT_BIAS = -4.5


class RiskDecision(StrEnum):
    """What happens to a step."""

    RUN = "run"
    ASK = "ask"
    REFUSE = "refuse"


class RiskWeights(BaseModel):
    """The model's bias and one weight per signal."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bias: float = DEFAULT_BIAS
    weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    source: str = Field(default="default", description="default, or where they were fitted.")

    @classmethod
    def load(cls, path: Path) -> Self:
        """Weights saved by `office risk calibrate --save`.

        Raises:
            ConfigError: the file is not readable JSON weights.
        """
        try:
            return cls.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValidationError, ValueError) as error:
            raise ConfigError(
                f"risk weights {path}: {str(error).splitlines()[0]}:"
                " run `office risk calibrate --save` again or delete the file"
            ) from None

    def save(self, path: Path) -> None:
        """Write the weights as JSON."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.model_dump(), indent=2) + "\n", encoding="utf-8")


class RiskScore(BaseModel):
    """A step's score, with the signals and how much each added."""

    score: int = Field(ge=0, le=100)
    signals: dict[str, float]
    contributions: dict[str, float]


class RiskModel(BaseModel):
    """Weights and the thresholds that turn a score into a decision."""

    model_config = ConfigDict(frozen=True)

    weights: RiskWeights = Field(default_factory=RiskWeights)
    ask_threshold: int = Field(default=60, ge=0, le=100)
    refuse_threshold: int = Field(default=90, ge=0, le=101)

    def probability(self, signals: dict[str, float]) -> float:
        """The model's chance that a person refuses, 0..1."""
        z = self.weights.bias + sum(
            self.weights.weights.get(name, 0.0) * signals.get(name, 0.0) for name in FEATURES
        )
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def score(self, signals: dict[str, float]) -> RiskScore:
        """The 0-100 score of these signals."""
        contributions = {
            name: round(self.weights.weights.get(name, 0.0) * value, 3)
            for name, value in signals.items()
            if value
        }
        return RiskScore(
            score=round(100 * self.probability(signals)),
            signals=signals,
            contributions=contributions,
        )

    def decide(self, score: int, *, policy_verdict: str, policy_risk: str) -> RiskDecision:
        """Run, ask or refuse: the policy's refusal and asks stand, the score can add to them."""
        if policy_verdict == "deny" or score >= self.refuse_threshold:
            return RiskDecision.REFUSE
        if policy_verdict == "require_approval" or policy_risk == "high":
            return RiskDecision.ASK  # a high-risk call always asks, whatever its score
        if score >= self.ask_threshold:
            return RiskDecision.ASK
        return RiskDecision.RUN
