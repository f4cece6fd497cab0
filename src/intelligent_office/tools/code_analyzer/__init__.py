"""Python call-graph analysis: definitions, resolved calls and the chains between them.

`analyze_tree(root)` parses every file under `root` once and resolves calls through
imports, aliases, `self.`/`cls.`, base classes and constructors. The `trace_calls` and
`find_function` tools answer questions on top of it.
"""

from __future__ import annotations

from intelligent_office.tools.code_analyzer.callgraph import CallEdge, CallGraph, analyze_tree
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
    "analyze_tree",
    "closest_names",
    "find_function",
    "match_definitions",
    "shortest_paths",
    "trace_calls",
]
