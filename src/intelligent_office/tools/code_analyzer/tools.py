"""The code analyzer's tools: `trace_calls` and `find_function`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from intelligent_office.errors import ToolError
from intelligent_office.tools.base import ToolContext, tool
from intelligent_office.tools.workspace import resolve_in_workspace, workspace_relative

# The analyzer loads when a tool is called: every Office registers these tools, few tasks
# call them.
if TYPE_CHECKING:
    from intelligent_office.tools.code_analyzer.callgraph import CallEdge, CallGraph
    from intelligent_office.tools.code_analyzer.paths import CallPath

__all__ = ["find_function", "trace_calls"]

MAX_PATHS_LIMIT = 50

# How many unresolved calls and name matches an answer lists; the counts are complete.
_EXAMPLES = 5
_MOST_NAME_MATCHES = 50


@tool(path_parameters=["root"])
def trace_calls(
    ctx: ToolContext, root: str, start: str, end: str, max_paths: int = 3
) -> dict[str, Any]:
    """Find the shortest call chains from one Python function to another in a source tree.

    A name that is not defined but is a plain typo of one defined name (`proces_data`) is
    traced as that name, listed in `corrected`.
    Every call in a chain is given with the file and line where the callee's name appears,
    and its kind: `call`, `with` (`__enter__`/`__exit__`), `property`, or a possible one
    (`override` in a subclass, `callback` passed by name). With no chain, `unresolved`
    counts the calls reachable from `start` whose callee could not be resolved: any of
    them might lead to `end`.

    Args:
        root: directory (or .py file) to analyse, relative to the workspace.
        start: the calling function: `main`, `main()`, `Pipeline.run` or `app.main.main`.
        end: the function to reach, written the same way.
        max_paths: how many shortest chains to return at most.
    """
    from intelligent_office.tools.code_analyzer.callgraph import analyze_tree
    from intelligent_office.tools.code_analyzer.paths import (
        closest_names,
        match_definitions,
        shortest_paths,
    )

    if not 1 <= max_paths <= MAX_PATHS_LIMIT:
        raise ToolError(f"trace_calls: max_paths must be between 1 and {MAX_PATHS_LIMIT}")
    root_path = _analysis_root(ctx, root)
    graph = analyze_tree(root_path, display_base=ctx.workspace)
    corrected = _corrections(graph, (start, end))
    start_matches = match_definitions(graph, corrected.get(start, start))
    end_matches = match_definitions(graph, corrected.get(end, end))
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
    unresolved = [] if paths or missing else _unresolved_reachable(graph, start_matches)
    return {
        "root": workspace_relative(ctx.workspace, root_path),
        "start": start,
        "end": end,
        "found": bool(paths),
        "corrected": corrected,
        "start_matches": start_matches,
        "end_matches": end_matches,
        "paths": [_path_json(path) for path in paths],
        "missing": missing,
        "unresolved": {
            "count": len(unresolved),
            "examples": [
                {"call": call.call, "caller": call.caller, "file": call.file, "line": call.line}
                for call in unresolved[:_EXAMPLES]
            ],
        },
        **_parse_report(graph),
    }


@tool(path_parameters=["root"])
def find_function(ctx: ToolContext, root: str, name: str) -> dict[str, Any]:
    """Find where a Python function, method or class is defined and every place that calls it.

    A name that is a plain typo of one defined name is looked up as that name (listed in
    `corrected`). `callers` are the calls the call graph resolved (with their kind: `call`, `with`,
    `property`, or possibly an `override` or a `callback`); `possible_callers` are the
    other lines of code using the name, found by a textual search, which the graph could
    not resolve (or not to this definition).

    Args:
        root: directory (or .py file) to analyse, relative to the workspace.
        name: the name to look for: `process_data`, `Pipeline.run` or a full dotted name.
    """
    from intelligent_office.tools.code_analyzer.callgraph import analyze_tree
    from intelligent_office.tools.code_analyzer.paths import closest_names, match_definitions

    root_path = _analysis_root(ctx, root)
    graph = analyze_tree(root_path, display_base=ctx.workspace)
    corrected = _corrections(graph, (name,))
    typed, name = name, corrected.get(name, name)
    matches = match_definitions(graph, name)
    definitions = [graph.definitions[qualname] for qualname in matches]
    callers = [
        edge for callee in _with_constructors(graph, matches) for edge in graph.calls_to(callee)
    ]
    callers.sort(key=lambda edge: (edge.file, edge.line, edge.caller, edge.callee))
    possible = _name_matches(ctx, root_path, graph, name, definitions, callers)
    return {
        "root": workspace_relative(ctx.workspace, root_path),
        "name": typed,
        "corrected": corrected,
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
            {
                "caller": edge.caller,
                "callee": edge.callee,
                "file": edge.file,
                "line": edge.line,
                "kind": edge.kind,
            }
            for edge in callers
        ],
        "possible_callers": possible[:_MOST_NAME_MATCHES],
        "possible_callers_count": len(possible),
        "closest": [] if definitions else closest_names(graph, name),
        **_parse_report(graph),
    }


def _corrections(graph: CallGraph, names: tuple[str, ...]) -> dict[str, str]:
    """Each name not defined in the tree that is a plain typo of one that is, mapped to it."""
    from intelligent_office.tools.code_analyzer.paths import match_definitions, typo_correction

    corrected = {}
    for name in names:
        if not match_definitions(graph, name):
            fixed = typo_correction(graph, name)
            if fixed is not None:
                corrected[name] = fixed
    return corrected


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


def _unresolved_reachable(graph: CallGraph, starts: list[str]) -> list[Any]:
    """The unresolved calls in every function reachable from the starts, in BFS order."""
    seen = set(starts)
    queue = sorted(seen)
    found: list[Any] = []
    while queue:
        caller = queue.pop(0)
        found += graph.unresolved_in(caller)
        for edge in graph.calls_from(caller):
            if edge.callee not in seen:
                seen.add(edge.callee)
                queue.append(edge.callee)
    return found


def _name_matches(
    ctx: ToolContext,
    root: Path,
    graph: CallGraph,
    name: str,
    definitions: list[Any],
    callers: list[CallEdge],
) -> list[dict[str, Any]]:
    """Lines using the name that the graph did not resolve to a call of it (or of another)."""
    from intelligent_office.tools.code_analyzer.name_match import name_uses
    from intelligent_office.tools.code_analyzer.paths import normalize_name

    if not definitions:
        return []
    short = normalize_name(name).rsplit(".", 1)[-1]
    resolved = {(edge.file, edge.line) for edge in callers}
    # A site the graph resolved to another definition of that name was decided, not missed.
    resolved |= {(edge.file, edge.line) for edge in graph.edges if edge.callee_name == short}
    resolved |= {(item.file, item.line) for item in definitions}
    calls_only = all(item.kind == "class" for item in definitions)
    return [
        {"file": use.file, "line": use.line, "text": use.text}
        for use in name_uses(root, ctx.workspace.resolve(), short, calls_only=calls_only)
        if (use.file, use.line) not in resolved
    ]


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
                "kind": edge.kind,
            }
            for edge in path.calls
        ],
    }


def _parse_report(graph: CallGraph) -> dict[str, Any]:
    return {
        "files_parsed": graph.files_parsed,
        "skipped": [{"file": item.file, "reason": item.reason} for item in graph.skipped],
    }
