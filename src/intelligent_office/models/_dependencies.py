"""Cheap structural checks on id-and-dependency lists (cycles are the engine's job)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

__all__ = ["check_dependencies"]


def check_dependencies(kind: str, nodes: Sequence[tuple[str, Sequence[str]]]) -> None:
    """Raise ValueError naming duplicate ids, self-dependencies and unknown dependencies.

    Args:
        kind: What the nodes are called in messages, e.g. "step" or "subtask".
        nodes: Each node's id and the ids it depends on.
    """
    counts = Counter(node_id for node_id, _ in nodes)
    known = set(counts)
    problems: list[str] = []
    duplicates = sorted(node_id for node_id, count in counts.items() if count > 1)
    if duplicates:
        problems.append(
            f"duplicate {kind} id(s) {_quoted(duplicates)}: each {kind}_id must be unique"
        )
    for node_id, dependencies in nodes:
        if node_id in dependencies:
            problems.append(f"{kind} '{node_id}' depends on itself")
        unknown = sorted({dep for dep in dependencies if dep not in known})
        if unknown:
            problems.append(
                f"{kind} '{node_id}' depends on unknown {kind}(s) {_quoted(unknown)}"
                f" (known: {_quoted(sorted(known))})"
            )
    if problems:
        raise ValueError("; ".join(problems))


def _quoted(ids: Sequence[str]) -> str:
    return ", ".join(f"'{node_id}'" for node_id in ids)
