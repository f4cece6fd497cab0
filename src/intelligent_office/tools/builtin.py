"""The built-in tools: files, arithmetic, Python snippets, summaries and code analysis.

http_request is built-in too but needs an allow-list from the settings, so it joins the
registry only when `builtin_tools` is given one.
"""

from __future__ import annotations

from collections.abc import Sequence

from intelligent_office.tools.base import Tool, ToolRegistry
from intelligent_office.tools.calculator import calculate
from intelligent_office.tools.code_analyzer import find_function, trace_calls
from intelligent_office.tools.file_ops import list_files, read_file, search_files, write_file
from intelligent_office.tools.http import http_tool
from intelligent_office.tools.python_exec import python_exec
from intelligent_office.tools.summarize import summarize_file

__all__ = ["BUILTIN_TOOLS", "builtin_tools"]

BUILTIN_TOOLS: tuple[Tool, ...] = (
    list_files,
    read_file,
    search_files,
    write_file,
    calculate,
    python_exec,
    summarize_file,
    trace_calls,
    find_function,
)


def builtin_tools(*, http_allow: Sequence[str] = ()) -> ToolRegistry:
    """A new registry holding every built-in tool.

    Args:
        http_allow: exact "host:port" entries http_request may reach; when empty there
            is no http_request tool.
    """
    registry = ToolRegistry(BUILTIN_TOOLS)
    if http_allow:
        registry.register(http_tool(http_allow))
    return registry
