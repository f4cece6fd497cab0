"""The parts of an Office its settings configure: tools, policy, memory, MCP servers, models."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from intelligent_office.errors import UserError
from intelligent_office.tools.builtin import builtin_tools

if TYPE_CHECKING:
    from intelligent_office.agentkit.models import AgentModel
    from intelligent_office.llm import Brain
    from intelligent_office.memory.embeddings import Embedder
    from intelligent_office.memory.office_memory import OfficeMemory
    from intelligent_office.observability import Telemetry
    from intelligent_office.settings import Settings
    from intelligent_office.store import Store
    from intelligent_office.tools.base import ToolRegistry
    from intelligent_office.tools.mcp.toolset import MCPToolset
    from intelligent_office.tools.policy import Policy
    from intelligent_office.tools.sandbox.probe import SandboxProvider
    from intelligent_office.tools.sandbox.settings import SandboxSettings

__all__ = ["OfficeParts", "configured_parts"]

_log = logging.getLogger(__name__)


@dataclass
class OfficeParts:
    """What `Office.from_settings` passes to the Office; None: the offline default."""

    tools: ToolRegistry
    agent_tools: ToolRegistry
    policy: Policy
    memory: OfficeMemory | None = None
    mcp: MCPToolset | None = None
    brain: Brain | None = None
    model: AgentModel | None = None


def configured_parts(
    settings: Settings, store: Store, telemetry: Telemetry, memory_embedder: Embedder | None
) -> OfficeParts:
    """The parts the settings configure: tools, policy, memory, MCP servers, brain and model.

    Agents get the built-in tools alone: the memory's `search_documents` answers for the
    tenant of a task, and an agent run is not one.
    """
    from intelligent_office.tools.builder.registry import registered_servers
    from intelligent_office.tools.policy import load_policy

    sandbox = _sandbox(settings.sandbox)
    tools = builtin_tools(sandbox=sandbox, http_allow=settings.http_allow)
    parts = OfficeParts(
        tools=tools,
        agent_tools=builtin_tools(sandbox=sandbox, http_allow=settings.http_allow),
        policy=load_policy(settings.policy_file),
    )
    if settings.memory.enabled:
        # Loaded only when memory is on: a run without it never loads the memory's modules.
        from intelligent_office.memory.office_memory import OfficeMemory

        try:  # the model itself loads on first use, not here
            memory = OfficeMemory.open(settings.memory, store, embedder=memory_embedder)
        except UserError as error:
            # Without the `memory` extra the Office still runs, without memory; the memory
            # commands say how to install it.
            _log.warning("memory is off: %s", error)
        else:
            tools.register(memory.search_tool())
            parts.memory = memory
    # Tools built from gap reports and approved (`office tools build`) join the servers.
    servers = [*settings.mcp_servers, *registered_servers(store)]
    if servers:
        from intelligent_office.tools.mcp.toolset import MCPToolset  # the MCP SDK: only now

        # The planners need every tool's spec up front: list the servers now.
        parts.mcp = mcp = MCPToolset(servers, tools)
        mcp.start_blocking()
    if settings.llm.enabled:
        # pydantic-ai and the vendors' SDKs load only when a model is configured.
        from intelligent_office.agentkit.router_model import RouterModel
        from intelligent_office.llm.config import Tier
        from intelligent_office.llm.llm_brain import LLMBrain
        from intelligent_office.llm.router import LLMRouter
        from intelligent_office.tools.ai_tool import ai_tool

        router = LLMRouter(settings.llm, settings.budgets, store, telemetry=telemetry)
        if router.serves(Tier.AI_TOOL):
            tools.register(ai_tool(router))
        parts.brain, parts.model = LLMBrain(router), RouterModel(router)
    return parts


def _sandbox(settings: SandboxSettings) -> SandboxProvider:
    """Where python_exec runs snippets, for both registries (one probe between them).

    With `require_tier` the machine is probed now, so a weaker one stops here, clearly.
    Without it the probe (`true` and the snippet interpreter run under each tier, some
    0.1 s of child processes) waits for the first snippet: most tasks never run one.
    """
    from intelligent_office.tools.sandbox.probe import SandboxProvider, for_machine

    if settings.require_tier is not None:
        return SandboxProvider(for_machine(settings))
    return SandboxProvider(settings=settings)
