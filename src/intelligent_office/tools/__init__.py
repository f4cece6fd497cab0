"""Tools: typed specs built from signatures, the registry, and the built-in tools."""

from intelligent_office.tools.base import Tool, ToolContext, ToolRegistry, ToolSpec, tool
from intelligent_office.tools.builtin import builtin_tools
from intelligent_office.tools.workspace import resolve_in_workspace

__all__ = [
    "Tool",
    "ToolContext",
    "ToolRegistry",
    "ToolSpec",
    "builtin_tools",
    "resolve_in_workspace",
    "tool",
]
