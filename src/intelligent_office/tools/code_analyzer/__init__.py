"""Python call-graph analysis: definitions, resolved calls and the chains between them.

`analyze_tree(root)` parses every file under `root` once and resolves calls through
imports, aliases, `self.`/`cls.`, base classes and constructors, `with` statements
(`__enter__`/`__exit__`), values typed by constructors, annotations, `tuple[...]` returns
and collections, `super()` and property reads. Overrides in subclasses and functions
passed by name are possible edges; calls it cannot resolve are recorded, so that a "no"
can say how far it holds. The `trace_calls` and `find_function` tools answer questions on
top of it; `find_function` cross-checks its callers with a textual search for the name.

The names load on first use: registering the tools loads no analyzer.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from intelligent_office.tools.code_analyzer.callgraph import (
        CallEdge,
        CallGraph,
        UnresolvedCall,
        analyze_tree,
    )
    from intelligent_office.tools.code_analyzer.parsing import SkippedFile
    from intelligent_office.tools.code_analyzer.paths import (
        CallPath,
        closest_names,
        match_definitions,
        shortest_paths,
    )
    from intelligent_office.tools.code_analyzer.symbols import Definition
    from intelligent_office.tools.code_analyzer.tools import find_function, trace_calls

__all__ = [
    "CallEdge",
    "CallGraph",
    "CallPath",
    "Definition",
    "SkippedFile",
    "UnresolvedCall",
    "analyze_tree",
    "closest_names",
    "find_function",
    "match_definitions",
    "shortest_paths",
    "trace_calls",
]

_LAZY = {
    "CallEdge": "callgraph",
    "CallGraph": "callgraph",
    "UnresolvedCall": "callgraph",
    "analyze_tree": "callgraph",
    "SkippedFile": "parsing",
    "CallPath": "paths",
    "closest_names": "paths",
    "match_definitions": "paths",
    "shortest_paths": "paths",
    "Definition": "symbols",
    "find_function": "tools",
    "trace_calls": "tools",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
