"""Risk that decides: a 0-100 score per step from observable signals, and its calibration."""

from intelligent_office.risk.model import (
    FEATURES,
    RiskDecision,
    RiskModel,
    RiskScore,
    RiskWeights,
)
from intelligent_office.risk.settings import RiskSettings, SignoffSettings
from intelligent_office.risk.signals import ToolHistory, step_signals

__all__ = [
    "FEATURES",
    "RiskDecision",
    "RiskModel",
    "RiskScore",
    "RiskSettings",
    "RiskWeights",
    "SignoffSettings",
    "ToolHistory",
    "step_signals",
]
