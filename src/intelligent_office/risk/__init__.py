"""Risk that decides: a 0-100 score per step from observable signals, and its calibration.

The names load on first use: the settings import only this package's settings module,
and a command loads only what it calls.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_LAZY = {
    "FEATURES": "intelligent_office.risk.model",
    "RiskDecision": "intelligent_office.risk.model",
    "RiskModel": "intelligent_office.risk.model",
    "RiskScore": "intelligent_office.risk.model",
    "RiskSettings": "intelligent_office.risk.settings",
    "RiskWeights": "intelligent_office.risk.model",
    "SignoffSettings": "intelligent_office.risk.settings",
    "ToolHistory": "intelligent_office.risk.signals",
    "step_signals": "intelligent_office.risk.signals",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
