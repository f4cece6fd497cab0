"""Tools: typed specs built from signatures, the registry, and the built-in tools.

The names load on first use, so a caller of one submodule (the sandbox probe, started
before the service's modules load) does not pay for the built-in tools.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_LAZY = {
    "Tool": "intelligent_office.tools.base",
    "ToolContext": "intelligent_office.tools.base",
    "ToolRegistry": "intelligent_office.tools.base",
    "ToolSpec": "intelligent_office.tools.base",
    "tool": "intelligent_office.tools.base",
    "builtin_tools": "intelligent_office.tools.builtin",
    "resolve_in_workspace": "intelligent_office.tools.workspace",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
