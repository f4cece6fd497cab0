"""Call chains: the ones an answer gives, and the ones the code analyzer proves.

An answer states a chain as the Office writes it:

    Call sequence from main() to process_data() (3 calls):
      app.main.main()
      -> app.pipeline.Pipeline.run()    called at app/main.py:16
      ...

The analyzer's chains are computed on the real workspace when the check runs, so a
case stays right when the code it reads changes.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from intelligent_office.tools.code_analyzer import (
    CallGraph,
    analyze_tree,
    match_definitions,
    shortest_paths,
)

__all__ = ["Chain", "GraphCache", "answer_chains", "names_match", "proved_chains"]

_FIRST = re.compile(r"^\s*(?P<name>[\w.<>]+)\(\)\s*$")
# A hop may end with a note on its kind: `(with statement: __enter__/__exit__)`.
_HOP = re.compile(
    r"^\s*->\s*(?P<name>[\w.<>]+)\(\)\s+called at\s+(?P<file>\S+):(?P<line>\d+)"
    r"(?:\s+\([^()]*\))?\s*$"
)
_MOST_CHAINS = 50


@dataclass(frozen=True, slots=True)
class Chain:
    """Functions from first to last, and where each call is made (file, line)."""

    functions: tuple[str, ...]
    sites: tuple[tuple[str, int], ...]

    def __str__(self) -> str:
        hops = [self.functions[0]]
        hops += [f"{name} ({file}:{line})" for name, (file, line) in zip(
            self.functions[1:], self.sites, strict=True
        )]  # fmt: skip
        return " -> ".join(hops)


def names_match(qualname: str, name: str) -> bool:
    """Whether `name` (`run`, `Pipeline.run()`, `app.pipeline.Pipeline.run`) names `qualname`.

    Calling a class runs its `__init__`, so `ProgressBar()` names `...ProgressBar.__init__`.
    """
    name = name.removesuffix("()")
    return any(
        candidate == name or candidate.endswith(f".{name}")
        for candidate in (qualname, qualname.removesuffix(".__init__"))
    )


def answer_chains(answer: str) -> list[Chain]:
    """Every chain the answer states, in order."""
    chains: list[Chain] = []
    functions: list[str] = []
    sites: list[tuple[str, int]] = []
    for line in [*answer.splitlines(), ""]:
        hop = _HOP.match(line)
        if hop is not None and functions:
            functions.append(hop["name"])
            sites.append((hop["file"], int(hop["line"])))
            continue
        if len(functions) > 1:
            chains.append(Chain(tuple(functions), tuple(sites)))
        first = _FIRST.match(line)
        functions, sites = ([first["name"]] if first else []), []
    return chains


class GraphCache:
    """Call graphs by analysed folder, built once per eval run (safe across threads)."""

    def __init__(self) -> None:
        self._graphs: dict[tuple[Path, Path], CallGraph] = {}
        self._lock = threading.Lock()

    def graph(self, root: Path, display_base: Path) -> CallGraph:
        """The call graph of `root`, with paths shown relative to `display_base`."""
        key = (root.resolve(), display_base.resolve())
        with self._lock:
            if key not in self._graphs:
                self._graphs[key] = analyze_tree(key[0], display_base=key[1])
            return self._graphs[key]


def proved_chains(graph: CallGraph, start: str, end: str) -> list[Chain]:
    """The shortest chains from `start` to `end` the analyzer proves (empty: none)."""
    starts = match_definitions(graph, start.removesuffix("()"))
    ends = match_definitions(graph, end.removesuffix("()"))
    if not starts or not ends:
        return []
    # Calling a class runs its __init__: a chain may end there.
    ends += [
        f"{name}.__init__"
        for name in list(ends)
        if graph.definitions[name].kind == "class" and f"{name}.__init__" in graph.definitions
    ]
    return [
        Chain(path.functions, tuple((edge.file, edge.line) for edge in path.calls))
        for path in shortest_paths(graph, starts, ends, _MOST_CHAINS)
    ]
