"""Agent workflows built from the settings: the model (router or offline) and the scheduler."""

from __future__ import annotations

from typing import TYPE_CHECKING

from intelligent_office.agentkit.models import AgentModel, OfflineModel
from intelligent_office.agentkit.office import Office
from intelligent_office.agentkit.scheduler import CronScheduler

if TYPE_CHECKING:
    from intelligent_office.settings import Settings
    from intelligent_office.store import Store

__all__ = ["agent_model", "agent_scheduler"]


def agent_model(settings: Settings, store: Store | None) -> AgentModel:
    """Agents answered by the router (costs in `store`), or the labelled offline fallback."""
    if settings.llm.enabled and store is not None:
        # pydantic-ai and the vendors' SDKs load only when a model is configured.
        from intelligent_office.agentkit.router_model import RouterModel
        from intelligent_office.llm.router import LLMRouter

        return RouterModel(LLMRouter(settings.llm, settings.budgets, store))
    return OfflineModel()


def agent_scheduler(settings: Settings, store: Store | None) -> CronScheduler:
    """The scheduler `office serve` runs: the cron workflows of `agent_workflows_dir`."""
    folder = settings.agent_workflows_dir.expanduser().resolve()
    return CronScheduler(folder, Office(agent_model(settings, store), root=folder))
