"""Memory: what the office remembers of past work and documents.

Only the light contracts are exported here (the planner's side); the memory itself is
`intelligent_office.memory.office_memory.OfficeMemory`, built at the edge.
"""

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
