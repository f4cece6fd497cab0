"""The builder agent: a model (planner tier) drafts the tool's files from the gap report."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from intelligent_office.llm.budget import CallScope
from intelligent_office.llm.config import Tier
from intelligent_office.llm.prompts import Prompt

if TYPE_CHECKING:
    from intelligent_office.llm.router import LLMRouter

__all__ = ["BUILD_TOOL", "DraftedTool", "draft_with_model"]

BUILD_TOOL = Prompt(
    "office.build_tool",
    1,
    """You write a missing tool as a small Python MCP server, from a tool-gap report.
Return three files: logic.py (the tool's work, standard library only), server.py (an
MCP server over stdio: `from mcp.server.mcpserver import MCPServer`, one @server.tool()
per tool calling logic.py, `server.run("stdio")` under __main__; it must put its own
directory on sys.path before `import logic`) and test_tool.py (unittest, standard library
only, NO network: fake any I/O; it must put its own directory on sys.path). Any network
access must be limited to the host the request names. Give the server a short name,
the tool's name, description, JSON schema of its parameters, a risk level (low, medium,
high) and the arguments to call it with for the request.""",
)


class DraftedTool(BaseModel):
    """The builder agent's draft."""

    server: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")
    tool: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
    description: str
    risk: str = Field(pattern="^(low|medium|high)$")
    parameters: dict[str, Any] = Field(default_factory=dict)
    inputs: dict[str, Any] = Field(default_factory=dict)
    logic_py: str
    server_py: str
    test_py: str


async def draft_with_model(
    router: LLMRouter, gap_report: dict[str, Any], task_id: str | None
) -> tuple[DraftedTool, str]:
    """The model's draft for the gap, and the model that wrote it."""
    user = json.dumps(
        {
            "request": gap_report.get("request"),
            "missing_capabilities": gap_report.get("missing_capabilities"),
            "missing_tools": gap_report.get("missing_tools"),
            "proposed_mcp_server": gap_report.get("proposed_mcp_server"),
        },
        indent=1,
        default=str,
    )
    scope = CallScope(agent="builder", task_id=task_id)
    reply = await router.run(Tier.PLANNER, BUILD_TOOL, user, DraftedTool, scope)
    return reply.output, str(reply.model)
