"""Where an agent is in one workflow run."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["FINAL_STATES", "AgentState"]


class AgentState(StrEnum):
    """An agent's state in a run; every state but PENDING and RUNNING is final."""

    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    RATE_LIMITED = "rate_limited"
    BUDGET_EXCEEDED = "budget_exceeded"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"
    NEEDS_MODEL = "needs_model"
    """Offline, the agent was asked for what only a model can do (`ModelNeeded`)."""


FINAL_STATES = frozenset(AgentState) - {AgentState.PENDING, AgentState.RUNNING}
