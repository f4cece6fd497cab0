"""Memory: what the office remembers of past work and documents."""

from intelligent_office.memory.base import NoMemory, PlanRetriever

__all__ = ["NoMemory", "PlanRetriever"]
