"""MCP: configured MCP servers (stdio or streamable HTTP) whose tools join the registry.

Only the settings load with the package; the client (and the MCP SDK under it) loads on
first use of `MCPConnection`, `MCPToolset`, `MCPTool` or `load_mcp_tools`, that is only
when a server is configured.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from intelligent_office.tools.mcp.settings import MCPServerSettings

if TYPE_CHECKING:
    from intelligent_office.tools.mcp.connection import MCPConnection
    from intelligent_office.tools.mcp.toolset import MCPTool, MCPToolset, load_mcp_tools

__all__ = ["MCPConnection", "MCPServerSettings", "MCPTool", "MCPToolset", "load_mcp_tools"]

_LAZY = {
    "MCPConnection": "intelligent_office.tools.mcp.connection",
    "MCPTool": "intelligent_office.tools.mcp.toolset",
    "MCPToolset": "intelligent_office.tools.mcp.toolset",
    "load_mcp_tools": "intelligent_office.tools.mcp.toolset",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
