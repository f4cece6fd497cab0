"""Agents answered by one pydantic-ai model directly: no router, so no ledger and no budgets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic_ai import Agent as PydanticAgent
from pydantic_ai import Tool as PydanticTool
from pydantic_ai.models import Model
from pydantic_ai.usage import RunUsage

from intelligent_office.agentkit.agent import Agent
from intelligent_office.agentkit.models import ModelAnswer

__all__ = ["PydanticAIModel"]


@dataclass(frozen=True)
class PydanticAIModel:
    """Every agent answered by one pydantic-ai model (no router: no ledger, no budgets)."""

    model: Model

    async def complete(
        self, agent: Agent, user: str, tools: Sequence[PydanticTool] = ()
    ) -> ModelAnswer:
        usage = RunUsage()
        runner = PydanticAgent(
            self.model, output_type=str, instructions=agent.system_prompt, tools=tools
        )
        result = await runner.run(user, usage=usage)
        return ModelAnswer(
            result.output, self.model.model_name, usage.input_tokens, usage.output_tokens
        )
