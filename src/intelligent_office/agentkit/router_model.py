"""Agents answered through the LLM router: tiers, fallback, rate limits, budgets, the ledger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic_ai import Tool as PydanticTool

from intelligent_office.agentkit.agent import Agent
from intelligent_office.agentkit.models import AgentRateLimited, ModelAnswer
from intelligent_office.errors import ModelUnavailable
from intelligent_office.llm.budget import CallScope
from intelligent_office.llm.config import Tier
from intelligent_office.llm.prompts import Prompt
from intelligent_office.llm.router import LLMRouter

__all__ = ["RouterModel"]


@dataclass
class RouterModel:
    """Agents answered by the router's tiers; `task_id` attributes costs to a stored task."""

    router: LLMRouter
    task_id: str | None = None
    _pinned: dict[str, LLMRouter] = field(default_factory=dict)

    async def complete(
        self, agent: Agent, user: str, tools: Sequence[PydanticTool[Any]] = ()
    ) -> ModelAnswer:
        router, tier = self._route(agent)
        prompt = Prompt(f"agent.{agent.archetype or 'custom'}", 1, agent.system_prompt)
        scope = CallScope(agent=agent.name, task_id=self.task_id)
        try:
            reply = await router.run(tier, prompt, user, str, scope, tools)
        except ModelUnavailable as error:
            if "HTTP 429" in str(error) or "RateLimitExceeded" in str(error):
                raise AgentRateLimited(str(error)) from error
            raise
        return ModelAnswer(
            reply.output, str(reply.model), reply.input_tokens, reply.output_tokens, reply.cost_usd
        )

    def _route(self, agent: Agent) -> tuple[LLMRouter, Tier]:
        """The agent's tier, or a one-model router when the agent pins `model`."""
        if agent.model is None:
            return self.router, agent.tier
        if agent.model not in self._pinned:
            settings = self.router.settings.model_copy(
                update={"tiers": {Tier.DEFAULT: [agent.model]}}
            )
            self._pinned[agent.model] = LLMRouter(
                settings, self.router.budgets.settings, self.router.store
            )
        return self._pinned[agent.model], Tier.DEFAULT
