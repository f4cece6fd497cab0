"""Memory: what the office remembers of past work and documents.

Only the light contracts are exported here (the planner's side); the memory itself is
`intelligent_office.memory.office_memory.OfficeMemory`, built at the edge.

The names load on first use: the settings import only this package's settings module,
and a command loads only what it calls.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from intelligent_office.memory.base import (
        NoMemory,
        PastPlan,
        PlanAttempt,
        PlanRecall,
        PlanRetriever,
        PlanReuse,
        SubtaskMemory,
    )
    from intelligent_office.memory.settings import EmbedderSettings, MemorySettings

__all__ = [
    "EmbedderSettings",
    "MemorySettings",
    "NoMemory",
    "PastPlan",
    "PlanAttempt",
    "PlanRecall",
    "PlanRetriever",
    "PlanReuse",
    "SubtaskMemory",
]

_LAZY = {
    "EmbedderSettings": "intelligent_office.memory.settings",
    "MemorySettings": "intelligent_office.memory.settings",
    "NoMemory": "intelligent_office.memory.base",
    "PastPlan": "intelligent_office.memory.base",
    "PlanAttempt": "intelligent_office.memory.base",
    "PlanRecall": "intelligent_office.memory.base",
    "PlanRetriever": "intelligent_office.memory.base",
    "PlanReuse": "intelligent_office.memory.base",
    "SubtaskMemory": "intelligent_office.memory.base",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
