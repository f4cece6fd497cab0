"""The agent model from the settings: the router when a tier has models, else offline."""

from __future__ import annotations

from intelligent_office.agentkit.models import AgentModel, OfflineModel
from intelligent_office.agentkit.router_model import RouterModel
from intelligent_office.llm.router import LLMRouter
from intelligent_office.settings import Settings
from intelligent_office.store import Store

__all__ = ["agent_model"]


def agent_model(settings: Settings, store: Store | None) -> AgentModel:
    """Agents answered by the router (costs in `store`), or the labelled offline fallback."""
    if settings.llm.enabled and store is not None:
        return RouterModel(LLMRouter(settings.llm, settings.budgets, store))
    return OfflineModel()
