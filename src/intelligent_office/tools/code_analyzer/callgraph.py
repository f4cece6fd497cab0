"""The call graph of a Python tree: its definitions and the resolved calls between them."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from intelligent_office.tools.code_analyzer.dispatch import POSSIBLE_KINDS, EdgeKind, site_callees
from intelligent_office.tools.code_analyzer.parsing import (
    ParsedFile,
    SkippedFile,
    iter_parsed_files,
)
from intelligent_office.tools.code_analyzer.reader import read_module
from intelligent_office.tools.code_analyzer.resolution import Resolver
from intelligent_office.tools.code_analyzer.symbols import CALL, ITEM, Definition, Ref, Scope

__all__ = [
    "MODULE_BODY",
    "CallEdge",
    "CallGraph",
    "UnresolvedCall",
    "analyze_tree",
    "build_call_graph",
]

MODULE_BODY = "<module>"
"""The last part of the caller name for calls at module level: `app.main.<module>`."""


@dataclass(frozen=True, slots=True)
class CallEdge:
    """One call site whose callee is defined in the tree.

    Attributes:
        caller: qualname of the function (or class body, or `<module>`) making the call.
        callee: qualname of the definition called; `Cls()` calls `Cls.__init__` when the
            class (or a base) defines it.
        callee_name: the callee's name as written at the call site, which differs from
            the callee's own name for aliases (`from m import f as g`) and constructors.
        file: the caller's file, as a display path.
        line: the line where `callee_name` appears.
        kind: how the caller runs the callee: a `call`, a `with` statement, a `property`
            read, or possibly: an `override` in a subclass, a `callback` passed by name.
    """

    caller: str
    callee: str
    callee_name: str
    file: str
    line: int
    kind: EdgeKind = "call"

    @property
    def possible(self) -> bool:
        """Whether the call may not happen at run time (an override, a callback)."""
        return self.kind in POSSIBLE_KINDS


@dataclass(frozen=True, slots=True)
class UnresolvedCall:
    """A call whose callee the analysis cannot know: `handler()` of an untyped parameter."""

    caller: str
    call: str
    file: str
    line: int


@dataclass(slots=True)
class CallGraph:
    """Definitions by qualname, call edges, and what was parsed or skipped."""

    definitions: dict[str, Definition]
    edges: list[CallEdge]
    files_parsed: int
    skipped: list[SkippedFile]
    unresolved: list[UnresolvedCall] = field(default_factory=list)
    _outgoing: dict[str, list[CallEdge]] = field(default_factory=dict, repr=False)
    _incoming: dict[str, list[CallEdge]] = field(default_factory=dict, repr=False)
    _unresolved_by_caller: dict[str, list[UnresolvedCall]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for edge in self.edges:
            self._incoming.setdefault(edge.callee, []).append(edge)
            outgoing = self._outgoing.setdefault(edge.caller, [])
            outgoing.append(edge)
        for caller, edges in self._outgoing.items():
            # One edge per callee (its first certain call site), in callee order:
            # deterministic BFS.
            first: dict[str, CallEdge] = {}
            for edge in sorted(edges, key=lambda edge: edge.possible):
                first.setdefault(edge.callee, edge)
            self._outgoing[caller] = [first[callee] for callee in sorted(first)]
        for call in self.unresolved:
            self._unresolved_by_caller.setdefault(call.caller, []).append(call)

    def calls_from(self, caller: str) -> list[CallEdge]:
        """The callees of `caller`, one edge each (the first call site), sorted by callee."""
        return self._outgoing.get(caller, [])

    def calls_to(self, callee: str) -> list[CallEdge]:
        """Every call site of `callee`, in file and line order."""
        return self._incoming.get(callee, [])

    def unresolved_in(self, caller: str) -> list[UnresolvedCall]:
        """The calls in `caller`'s body whose callee could not be resolved."""
        return self._unresolved_by_caller.get(caller, [])


def analyze_tree(root: Path, *, display_base: Path | None = None) -> CallGraph:
    """Parse every Python file under `root` (a directory or a file) into a call graph.

    Args:
        root: what to analyse.
        display_base: file paths in the graph are relative to this directory; defaults
            to `root` (or its parent when `root` is a file).
    """
    root = root.resolve()
    base = display_base.resolve() if display_base else (root if root.is_dir() else root.parent)
    return build_call_graph(iter_parsed_files(root, base))


def build_call_graph(files: Iterable[ParsedFile | SkippedFile]) -> CallGraph:
    """Read each parsed file's scopes (dropping its tree), then resolve every call site."""
    scopes: list[Scope] = []
    definitions: dict[str, Definition] = {}
    skipped: list[SkippedFile] = []
    files_parsed = 0
    # The analysis allocates many objects and frees few until the end: the cyclic
    # collector would rescan them again and again (twice as slow on a large tree). Each
    # tree is freed by reference counting once read, and `_release` breaks the scopes'
    # cycles, so nothing is left for the collector when it is switched back on.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for item in files:
            if isinstance(item, SkippedFile):
                skipped.append(item)
                continue
            files_parsed += 1
            _, file_scopes, file_definitions = read_module(item)
            scopes.extend(file_scopes)
            for definition in file_definitions:
                definitions.setdefault(definition.qualname, definition)
        edges, unresolved = _resolve_edges(scopes)
        graph = CallGraph(
            definitions=definitions,
            edges=edges,
            files_parsed=files_parsed,
            skipped=skipped,
            unresolved=unresolved,
        )
        _release(scopes)
    finally:
        if collecting:
            gc.enable()
    return graph


def _release(scopes: list[Scope]) -> None:
    """Break the reference cycles between scopes (a class and its methods' scopes)."""
    for scope in scopes:
        scope.parent = None
        scope.instance_attributes.clear()
    scopes.clear()


def _resolve_edges(scopes: Iterable[Scope]) -> tuple[list[CallEdge], list[UnresolvedCall]]:
    resolver = Resolver(scopes)
    edges: dict[tuple[str, str, str, int], CallEdge] = {}
    unresolved: list[UnresolvedCall] = []
    for scope in scopes:
        caller = f"{scope.qualname}.{MODULE_BODY}" if scope.kind == "module" else scope.qualname
        for site in scope.calls:
            found = site_callees(resolver, site, scope)
            if found.unresolved:
                unresolved.append(
                    UnresolvedCall(
                        caller=caller, call=_written(site.ref), file=scope.file, line=site.line
                    )
                )
            for callee, kind in found.callees:
                key = (caller, callee, scope.file, site.line)
                known = edges.get(key)
                if known is None or (known.possible and kind not in POSSIBLE_KINDS):
                    edges[key] = CallEdge(
                        caller=caller,
                        callee=callee,
                        # A property read on the way (`self.size.width`) shows its own name.
                        callee_name=callee.rpartition(".")[2] if kind == "property" else site.name,
                        file=scope.file,
                        line=site.line,
                        kind=kind,
                    )
    ordered = sorted(
        edges.values(), key=lambda edge: (edge.file, edge.line, edge.caller, edge.callee)
    )
    unresolved.sort(key=lambda call: (call.file, call.line, call.call))
    return ordered, unresolved


def _written(ref: Ref) -> str:
    """`("self", "handler", "()")` as `self.handler()()`, the way the call reads."""
    text = ""
    for step in ref:
        if step == CALL:
            text += "()"
        elif step.startswith(ITEM):
            text += f"[{step[1:]}]"
        else:
            text += f".{step}" if text else step
    return text + "()"
