"""A real MCP server over stdio (tests/tools/mcp/server.py) and a toolset connected to it."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from intelligent_office.models.risk import RiskLevel
from intelligent_office.tools import ToolRegistry
from intelligent_office.tools.mcp import MCPServerSettings, MCPToolset

REPO = Path(__file__).resolve().parents[3]


def words_server(**overrides: object) -> MCPServerSettings:
    """Settings that start the test server with this interpreter."""
    fields: dict[str, object] = {
        "name": "words",
        "command": sys.executable,
        "args": ["-m", "tests.tools.mcp.server"],
        "cwd": str(REPO),
        "tool_risks": {"reverse": RiskLevel.LOW},
        "timeout_seconds": 20,
    }
    return MCPServerSettings.model_validate(fields | overrides)


@pytest.fixture
async def toolset() -> AsyncIterator[MCPToolset]:
    tools = MCPToolset([words_server()], ToolRegistry())
    await tools.start()
    yield tools
    await tools.aclose()
