"""An agent's tools as the model sees them: the registry's tools behind the Office's policy.

Every call the model makes goes through `Policy.decide` first, as in the Office loop: a
`deny` is refused with the policy's reason, and a `require_approval` is refused too,
because a library run has no human to ask (run the task through the Office service for
approvals). A refusal or a failing tool is told to the model as the tool's result, so it
can answer without it; every call is recorded in the agent's output.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, JsonValue

from intelligent_office.agentkit.agent import Agent
from intelligent_office.errors import OfficeError
from intelligent_office.tools.base import ToolContext, ToolRegistry
from intelligent_office.tools.policy import Policy, Verdict

if TYPE_CHECKING:
    from pydantic_ai import Tool as PydanticTool

__all__ = ["AgentToolbox", "ToolUse", "ToolUses"]

_RESULT_LIMIT = 4000


class ToolUse(BaseModel):
    """One tool call an agent made: what it asked, what the policy said, what came back."""

    tool: str
    arguments: dict[str, JsonValue]
    verdict: Verdict
    ok: bool
    result: str = ""


@dataclass
class ToolUses:
    """The tool calls of one agent call, in order."""

    items: list[ToolUse] = field(default_factory=list)


@dataclass(frozen=True)
class AgentToolbox:
    """The tools agents may call, the policy over them and the workspace they work in."""

    registry: ToolRegistry
    policy: Policy
    workspace: Path

    def for_agent(self, agent: Agent, uses: ToolUses) -> list[PydanticTool]:
        """pydantic-ai tools for the agent's registered tools; names not registered are left out."""
        from pydantic_ai import Tool as PydanticTool

        return [
            PydanticTool.from_schema(
                self._caller(name, agent, uses),
                name=name,
                description=self.registry.get(name).spec.description,
                json_schema=dict(self.registry.get(name).spec.parameters),
            )
            for name in agent.tools
            if name in self.registry
        ]

    def missing(self, agent: Agent) -> list[str]:
        """The agent's tools that no registered tool answers to."""
        return [name for name in agent.tools if name not in self.registry]

    def _caller(self, name: str, agent: Agent, uses: ToolUses) -> Any:
        async def call(**arguments: Any) -> str:
            use = await self.call(name, agent, arguments)
            uses.items.append(use)
            return use.result

        return call

    async def call(self, name: str, agent: Agent, arguments: dict[str, Any]) -> ToolUse:
        """Call the tool if the policy allows it; a refusal or failure becomes the result text."""
        spec = self.registry.get(name).spec
        decision = self.policy.decide(name, spec.risk_level, arguments)
        args: dict[str, JsonValue] = json.loads(json.dumps(arguments, default=str))
        if decision.verdict is Verdict.DENY:
            text = f"refused: the tool policy denies {name} ({decision.rule}): {decision.reason}"
            return ToolUse(
                tool=name, arguments=args, verdict=decision.verdict, ok=False, result=text
            )
        if decision.verdict is Verdict.REQUIRE_APPROVAL:
            text = (
                f"refused: {name} needs a human's approval ({decision.rule}: {decision.reason}) "
                "and a library agent run has no approval channel; run it as an Office task, "
                "or allow it in the policy"
            )
            return ToolUse(
                tool=name, arguments=args, verdict=decision.verdict, ok=False, result=text
            )
        context = ToolContext(workspace=self.workspace, idempotency_key=f"{agent.name}/{name}")
        try:
            value = await self.registry.call(name, context, arguments)
        except (OfficeError, OSError, ValueError) as error:
            text = f"error: {name} failed: {error}"
            return ToolUse(
                tool=name, arguments=args, verdict=decision.verdict, ok=False, result=text
            )
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        return ToolUse(
            tool=name,
            arguments=args,
            verdict=decision.verdict,
            ok=True,
            result=text[:_RESULT_LIMIT],
        )
