"""RiskLevel: how much harm an action could do, shared by plans, tools and the broker."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["RiskLevel"]


class RiskLevel(StrEnum):
    """Risk of an action; the broker asks a human before high-risk steps by default."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
