"""Finding definitions by the names users write, and the shortest call chains between them."""

from __future__ import annotations

import difflib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from intelligent_office.tools.code_analyzer.callgraph import CallEdge, CallGraph

__all__ = ["CallPath", "closest_names", "match_definitions", "normalize_name", "shortest_paths"]


@dataclass(frozen=True, slots=True)
class CallPath:
    """A chain of calls: `functions[i]` calls `functions[i + 1]` at `calls[i]`."""

    functions: tuple[str, ...]
    calls: tuple[CallEdge, ...]


def normalize_name(name: str) -> str:
    """`main()` -> `main`, ` app.core.process_data ` -> `app.core.process_data`."""
    cleaned = name.strip()
    while cleaned.endswith("()"):
        cleaned = cleaned[:-2].rstrip()
    return cleaned


def match_definitions(graph: CallGraph, name: str) -> list[str]:
    """Qualnames of the definitions `name` refers to, by dotted suffix, sorted.

    `run`, `Pipeline.run` and `app.pipeline.Pipeline.run` all match
    `app.pipeline.Pipeline.run`; `line` does not match `pipeline`.
    """
    wanted = normalize_name(name)
    if not wanted:
        return []
    suffix = "." + wanted
    return sorted(
        qualname
        for qualname in graph.definitions
        if qualname == wanted or qualname.endswith(suffix)
    )


def closest_names(graph: CallGraph, name: str, limit: int = 5) -> list[str]:
    """Defined names that look like `name` (a typo, a wrong class): the best first.

    A name with k dotted parts is compared with the last k parts of every qualname
    (`Pipline.run` with `Pipeline.run`) as well as with short names.
    """
    wanted = normalize_name(name)
    if not wanted:
        return []
    depth = wanted.count(".") + 1
    candidates: set[str] = set()
    for qualname in graph.definitions:
        parts = qualname.split(".")
        candidates.add(parts[-1])
        candidates.add(".".join(parts[-depth:]))
    # Sorting first makes ties come out the same way on every run.
    return difflib.get_close_matches(wanted, sorted(candidates), n=limit, cutoff=0.6)


def typo_correction(graph: CallGraph, name: str) -> str | None:
    """The one defined name `name` is a typo of (`proces_data`, `mian`), or None.

    A typo here is one edit (a letter added, dropped, changed or two swapped) in a name
    of up to 10 characters, at most two in a longer one; with two names equally close
    there is no correction, only the closest names to offer.
    """
    wanted = normalize_name(name)
    if not wanted:
        return None
    allowed = 1 if len(wanted) <= 10 else 2
    by_distance: dict[int, set[str]] = {}
    for candidate in closest_names(graph, wanted, limit=10):
        distance = _edit_distance(wanted.lower(), candidate.lower())
        if distance <= allowed:
            by_distance.setdefault(distance, set()).add(candidate)
    if not by_distance:
        return None
    best = by_distance[min(by_distance)]
    return next(iter(best)) if len(best) == 1 else None


def _edit_distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def shortest_paths(
    graph: CallGraph, starts: Iterable[str], ends: Iterable[str], max_paths: int
) -> list[CallPath]:
    """Up to `max_paths` shortest call chains from any start to any end.

    Every chain returned has the fewest calls possible, and of those the fewest possible
    calls (an override, a callback): a chain of certain calls hides guessed ones. They
    come in the order of their qualnames (start first), so the same tree always gives the same
    answer. A start that is also an end gives a chain of no calls.
    """
    end_set = set(ends)
    distance = _distance_to_ends(graph, end_set)
    reachable = [start for start in sorted(set(starts)) if start in distance]
    if not reachable or max_paths <= 0:
        return []
    shortest = min(distance[start] for start in reachable)
    # Enough candidates to find the certain chains among many possible ones.
    candidates = max(_CANDIDATES, max_paths)
    paths: list[CallPath] = []
    for start in reachable:
        if distance[start] != shortest:
            continue
        for calls in _chains(graph, start, distance, []):
            functions = (start, *(edge.callee for edge in calls))
            paths.append(CallPath(functions=functions, calls=tuple(calls)))
            if len(paths) == candidates:
                break
        if len(paths) == candidates:
            break
    # The surest chains only: a certain chain makes chains through guesses noise.
    least = min((_guesses(path) for path in paths), default=0)
    return [path for path in paths if _guesses(path) == least][:max_paths]


def _guesses(path: CallPath) -> int:
    return sum(edge.possible for edge in path.calls)


_CANDIDATES = 200


def _distance_to_ends(graph: CallGraph, ends: set[str]) -> dict[str, int]:
    """Fewest calls from each function to an end (backwards BFS from the ends)."""
    distance = dict.fromkeys(ends, 0)
    queue = deque(sorted(ends))
    while queue:
        callee = queue.popleft()
        for edge in graph.calls_to(callee):
            if edge.caller not in distance:
                distance[edge.caller] = distance[callee] + 1
                queue.append(edge.caller)
    return distance


def _chains(
    graph: CallGraph, caller: str, distance: dict[str, int], prefix: list[CallEdge]
) -> Iterator[list[CallEdge]]:
    """Every shortest chain from `caller`, following calls that get one step closer."""
    remaining = distance[caller]
    if remaining == 0:
        yield list(prefix)
        return
    for edge in graph.calls_from(caller):  # sorted by callee
        if distance.get(edge.callee) == remaining - 1:
            prefix.append(edge)
            yield from _chains(graph, edge.callee, distance, prefix)
            prefix.pop()
