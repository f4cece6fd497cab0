"""The built-in tools: files, arithmetic, Python snippets, summaries and code analysis."""

from __future__ import annotations

from intelligent_office.tools.base import Tool, ToolRegistry
from intelligent_office.tools.calculator import calculate
from intelligent_office.tools.code_analyzer import find_function, trace_calls
from intelligent_office.tools.file_ops import list_files, read_file, search_files, write_file
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


def builtin_tools() -> ToolRegistry:
    """A new registry holding every built-in tool."""
    return ToolRegistry(BUILTIN_TOOLS)
