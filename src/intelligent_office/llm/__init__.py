"""Brains: what decomposes, plans, reviews and answers (offline rules or models).

The names load on first use: the settings import only this package's settings module,
and a command loads only what it calls.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_LAZY = {
    "Brain": "intelligent_office.llm.base",
    "OfflineBrain": "intelligent_office.llm.offline",
    "PlanRequest": "intelligent_office.llm.base",
    "PlanningResult": "intelligent_office.llm.base",
    "ReviewRequest": "intelligent_office.llm.base",
    "ReviewResult": "intelligent_office.llm.base",
    "SubtaskAnswer": "intelligent_office.llm.base",
    "SynthesisRequest": "intelligent_office.llm.base",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
