"""Settings of the risk score and of plan sign-off."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, Field, model_validator

__all__ = ["RiskSettings", "SignoffSettings"]


class RiskSettings(BaseModel):
    """Thresholds that turn a step's 0-100 risk score into run, ask or refuse."""

    model_config = {"extra": "forbid"}

    ask_threshold: int = Field(
        default=60, ge=0, le=100, description="A step scoring this or more waits for a person."
    )
    refuse_threshold: int = Field(
        default=90, ge=0, le=101, description="A step scoring this or more is refused (101: never)."
    )
    weights_file: Path | None = Field(
        default=None,
        description=(
            "Fitted weights (`office risk calibrate --save`); default <home>/risk_weights.json."
        ),
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.refuse_threshold < self.ask_threshold:
            raise ValueError("refuse_threshold is below ask_threshold: raise it or lower the other")
        return self


class SignoffSettings(BaseModel):
    """When a validated plan waits for a person to sign it off before it runs."""

    model_config = {"extra": "forbid"}

    mode: Literal["never", "always"] = Field(
        default="never", description="always: every plan waits (a task may also ask for it)."
    )
    users: list[str] = Field(
        default_factory=list, description="Tenants (user ids) whose plans always wait."
    )
    risk_threshold: int | None = Field(
        default=None,
        ge=0,
        le=100,
        description="A plan with a step scoring this or more waits; None: risk alone never asks.",
    )
