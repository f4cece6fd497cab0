"""The code analyzer's tools: `trace_calls` and `find_function`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from intelligent_office.errors import ToolError
from intelligent_office.tools.base import ToolContext, tool
from intelligent_office.tools.code_analyzer.callgraph import CallGraph, analyze_tree
from intelligent_office.tools.code_analyzer.paths import (
    CallPath,
    closest_names,
    match_definitions,
    shortest_paths,
)
from intelligent_office.tools.workspace import resolve_in_workspace, workspace_relative

__all__ = ["find_function", "trace_calls"]

MAX_PATHS_LIMIT = 50


@tool(path_parameters=["root"])
def trace_calls(
    ctx: ToolContext, root: str, start: str, end: str, max_paths: int = 3
) -> dict[str, Any]:
    """Find the shortest call chains from one Python function to another in a source tree.

    Every call in a chain is given with the file and line where the callee's name appears.

    Args:
        root: directory (or .py file) to analyse, relative to the workspace.
        start: the calling function: `main`, `main()`, `Pipeline.run` or `app.main.main`.
        end: the function to reach, written the same way.
        max_paths: how many shortest chains to return at most.
    """
    if not 1 <= max_paths <= MAX_PATHS_LIMIT:
        raise ToolError(f"trace_calls: max_paths must be between 1 and {MAX_PATHS_LIMIT}")
    root_path = _analysis_root(ctx, root)
    graph = analyze_tree(root_path, display_base=ctx.workspace)
    start_matches = match_definitions(graph, start)
    end_matches = match_definitions(graph, end)
    missing = [
        {"name": name, "closest": closest_names(graph, name)}
        for name, matches in ((start, start_matches), (end, end_matches))
        if not matches
    ]
    paths: list[CallPath] = []
    if not missing:
        paths = shortest_paths(
            graph, start_matches, _with_constructors(graph, end_matches), max_paths
        )
    return {
        "root": workspace_relative(ctx.workspace, root_path),
        "start": start,
        "end": end,
        "found": bool(paths),
        "start_matches": start_matches,
        "end_matches": end_matches,
        "paths": [_path_json(path) for path in paths],
        "missing": missing,
        **_parse_report(graph),
    }


@tool(path_parameters=["root"])
def find_function(ctx: ToolContext, root: str, name: str) -> dict[str, Any]:
    """Find where a Python function, method or class is defined and every place that calls it.

    Args:
        root: directory (or .py file) to analyse, relative to the workspace.
        name: the name to look for: `process_data`, `Pipeline.run` or a full dotted name.
    """
    root_path = _analysis_root(ctx, root)
    graph = analyze_tree(root_path, display_base=ctx.workspace)
    matches = match_definitions(graph, name)
    definitions = [graph.definitions[qualname] for qualname in matches]
    callers = [
        edge for callee in _with_constructors(graph, matches) for edge in graph.calls_to(callee)
    ]
    callers.sort(key=lambda edge: (edge.file, edge.line, edge.caller, edge.callee))
    return {
        "root": workspace_relative(ctx.workspace, root_path),
        "name": name,
        "definitions": [
            {
                "qualname": definition.qualname,
                "file": definition.file,
                "line": definition.line,
                "kind": definition.kind,
            }
            for definition in definitions
        ],
        "callers": [
            {"caller": edge.caller, "callee": edge.callee, "file": edge.file, "line": edge.line}
            for edge in callers
        ],
        "closest": [] if definitions else closest_names(graph, name),
        **_parse_report(graph),
    }


def _analysis_root(ctx: ToolContext, root: str) -> Path:
    path = resolve_in_workspace(ctx.workspace, root)
    if not path.exists():
        raise ToolError(
            f"root {root!r} does not exist in the workspace: give a directory to analyse"
        )
    if path.is_file():
        if path.suffix != ".py":
            raise ToolError(f"root {root!r} is a file but not a .py file: give a directory")
        return path
    if not path.is_dir():
        raise ToolError(f"root {root!r} is not a directory: give a directory to analyse")
    return path


def _with_constructors(graph: CallGraph, qualnames: list[str]) -> list[str]:
    """The qualnames plus, for each class, its own `__init__`: calling `Cls()` runs it."""
    extended = list(qualnames)
    for qualname in qualnames:
        definition = graph.definitions[qualname]
        init = f"{qualname}.__init__"
        if definition.kind == "class" and init in graph.definitions and init not in extended:
            extended.append(init)
    return extended


def _path_json(path: CallPath) -> dict[str, Any]:
    return {
        "functions": list(path.functions),
        "calls": [
            {
                "caller": edge.caller,
                "callee": edge.callee,
                "callee_name": edge.callee_name,
                "file": edge.file,
                "line": edge.line,
            }
            for edge in path.calls
        ],
    }


def _parse_report(graph: CallGraph) -> dict[str, Any]:
    return {
        "files_parsed": graph.files_parsed,
        "skipped": [{"file": item.file, "reason": item.reason} for item in graph.skipped],
    }
