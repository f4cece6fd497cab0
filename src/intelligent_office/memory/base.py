"""Plan memory as the planner sees it: similar past plans for a subtask."""

from __future__ import annotations

from typing import Protocol

from intelligent_office.models import Plan, Subtask, Task

__all__ = ["NoMemory", "PlanRetriever"]


class PlanRetriever(Protocol):
    """Finds plans of past subtasks that resemble this one."""

    async def similar_plans(self, task: Task, subtask: Subtask, *, limit: int = 5) -> list[Plan]:
        """Up to `limit` past plans, most similar first."""
        ...


class NoMemory:
    """The retriever used until plan memory exists: it remembers nothing."""

    async def similar_plans(self, task: Task, subtask: Subtask, *, limit: int = 5) -> list[Plan]:
        """Always none."""
        return []
