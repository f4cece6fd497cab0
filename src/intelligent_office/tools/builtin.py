"""The built-in tools: files, arithmetic, Python snippets, summaries and code analysis.

http_request is built-in too but needs an allow-list from the settings, so it joins the
registry only when `builtin_tools` is given one.
"""

from __future__ import annotations

from collections.abc import Sequence

from intelligent_office.tools.base import Tool, ToolRegistry
from intelligent_office.tools.calculator import calculate
from intelligent_office.tools.code_analyzer.tools import find_function, trace_calls
from intelligent_office.tools.file_ops import list_files, read_file, search_files, write_file
from intelligent_office.tools.python_exec import python_exec_tool
from intelligent_office.tools.sandbox import Sandbox, SandboxProvider
from intelligent_office.tools.summarize import summarize_file

__all__ = ["STATELESS_TOOLS", "builtin_tools"]

STATELESS_TOOLS: tuple[Tool, ...] = (
    list_files,
    read_file,
    search_files,
    write_file,
    calculate,
    summarize_file,
    trace_calls,
    find_function,
)
"""The built-in tools that need nothing from the settings."""


def builtin_tools(
    *, sandbox: Sandbox | SandboxProvider | None = None, http_allow: Sequence[str] = ()
) -> ToolRegistry:
    """A new registry holding every built-in tool.

    Args:
        sandbox: where python_exec runs snippets: a sandbox, or a provider (which may
            probe for one on first use); probed for on first use when None.
        http_allow: exact "host:port" entries http_request may reach; when empty there
            is no http_request tool.
    """
    provider = sandbox if isinstance(sandbox, SandboxProvider) else SandboxProvider(sandbox)
    registry = ToolRegistry(STATELESS_TOOLS)
    registry.register(python_exec_tool(provider))
    if http_allow:
        from intelligent_office.tools.http import http_tool  # its client: only when allowed

        registry.register(http_tool(http_allow))
    return registry
