"""MCP: configured MCP servers (stdio or streamable HTTP) whose tools join the registry."""

from intelligent_office.tools.mcp.connection import MCPConnection
from intelligent_office.tools.mcp.settings import MCPServerSettings
from intelligent_office.tools.mcp.toolset import MCPTool, MCPToolset, load_mcp_tools

__all__ = ["MCPConnection", "MCPServerSettings", "MCPTool", "MCPToolset", "load_mcp_tools"]
