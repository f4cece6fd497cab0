"""Structural checks on id-and-dependency lists: duplicates, unknown ids, and cycles.

The contracts themselves only refuse what is wrong on its face (`check_dependencies`);
a cycle is found by `find_cycle`, which the plan validator, the LLM drafts and the
Office workflow call so the cycle is named where it can be fixed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

__all__ = ["check_dependencies", "find_cycle"]


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


def find_cycle(nodes: Sequence[tuple[str, Sequence[str]]]) -> list[str] | None:
    """A dependency cycle as `[a, b, ..., a]`, each one needed by the next, or None.

    Arrows read as the engine's do (`a -> b`: b waits for a). Unknown dependencies and
    self-dependencies are left to `check_dependencies`.
    """
    dependencies = {node_id: [d for d in deps if d != node_id] for node_id, deps in nodes}
    done: set[str] = set()
    for start in dependencies:
        if start in done:
            continue
        # Depth-first along "depends on", iteratively: no recursion limit for long plans.
        path = [start]
        pending = [iter(dependencies[start])]
        while pending:
            following = next(pending[-1], None)
            if following is None:
                done.add(path.pop())
                pending.pop()
            elif following in path:
                loop = path[path.index(following) :]
                return [following, *reversed(loop)]
            elif following not in done and following in dependencies:
                path.append(following)
                pending.append(iter(dependencies[following]))
    return None
