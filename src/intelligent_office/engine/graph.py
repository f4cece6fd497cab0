"""The DAG model: nodes with dependencies, validated on construction.

An edge `a -> b` means b depends on a: b starts only after a has completed. A `Graph`
rejects duplicate ids, unknown dependencies and cycles with a `GraphError` whose one-line
message says what to fix, and offers the execution levels and the critical path for
display and estimates (the scheduler itself starts each node as soon as its own
dependencies are done, not level by level).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeAlias

from pydantic import BaseModel

from intelligent_office.engine.result import NodeResult
from intelligent_office.engine.retry import RetryPolicy
from intelligent_office.errors import GraphError
from intelligent_office.runtime.activity import Activity, Empty

__all__ = ["CRITICAL_PRIORITY", "CriticalPath", "Graph", "Node", "NodeCondition", "NodeInput"]

# Nodes at or above this priority are critical: their failure fails the whole graph.
CRITICAL_PRIORITY = 8

# A fixed input, or a function building it from the outputs of the node's dependencies.
NodeInput: TypeAlias = BaseModel | Callable[[Mapping[str, BaseModel]], BaseModel]

# Given the results of the nodes so far, why to skip this node (None: run it).
NodeCondition: TypeAlias = Callable[[Mapping[str, NodeResult]], str | None]


@dataclass(frozen=True, slots=True, eq=False)
class Node:
    """One unit of work: an activity, its input and the nodes it waits for.

    Attributes:
        id: unique within the graph; part of every activity key, so it may not contain '/'.
        activity: what to run, always through the runtime.
        input: the activity's input, or a callable receiving the outputs of this node's
            dependencies by node id and returning the input.
        dependencies: ids of the nodes that must complete before this one starts.
        priority: 0..10; among ready nodes higher runs first; 8 and above is critical.
        timeout_seconds: limit for each attempt; a timeout is a retryable failure.
        retry: how often and when to try again after a retryable failure.
        estimated_duration_seconds: used for the critical path and estimates only.
        condition: decides, once the dependencies are done, whether the node is skipped
            (returns the reason) or runs (returns None); raising fails the node.
        run_after_skipped: run even when a dependency was skipped by its condition;
            by default such a node is skipped too.
    """

    id: str
    activity: Activity[Any, Any]
    input: NodeInput = field(default_factory=Empty)
    dependencies: tuple[str, ...] = ()
    priority: int = 5
    timeout_seconds: float | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy.none)
    estimated_duration_seconds: float = 1.0
    condition: NodeCondition | None = None
    run_after_skipped: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.dependencies, str):
            raise GraphError(
                f"node '{self.id}': dependencies must be a list of node ids, "
                f"not the string {self.dependencies!r}"
            )
        # Accept any iterable of ids (a YAML list, say) and drop repeats, keeping order.
        object.__setattr__(self, "dependencies", tuple(dict.fromkeys(self.dependencies)))
        if not self.id or "/" in self.id:
            raise GraphError(
                f"node id {self.id!r} is not usable: ids must be non-empty and contain no '/'"
            )
        if not 0 <= self.priority <= 10:
            raise GraphError(f"node '{self.id}': priority must be 0..10, got {self.priority}")
        if self.timeout_seconds is not None and self.timeout_seconds <= 0:
            raise GraphError(
                f"node '{self.id}': timeout_seconds must be positive or None, "
                f"got {self.timeout_seconds}"
            )
        if self.estimated_duration_seconds < 0:
            raise GraphError(
                f"node '{self.id}': estimated_duration_seconds must be >= 0, "
                f"got {self.estimated_duration_seconds}"
            )
        expected = self.activity.input_type
        if isinstance(self.input, BaseModel) and not isinstance(self.input, expected):
            raise GraphError(
                f"node '{self.id}': input is {type(self.input).__name__} but activity "
                f"'{self.activity.name}' takes {expected.__name__}"
            )
        if not isinstance(self.input, BaseModel) and not callable(self.input):
            raise GraphError(
                f"node '{self.id}': input must be a pydantic model or a callable building one "
                "from the dependencies' outputs"
            )

    @property
    def critical(self) -> bool:
        """Whether this node's failure fails the whole graph (priority >= 8)."""
        return self.priority >= CRITICAL_PRIORITY


@dataclass(frozen=True, slots=True)
class CriticalPath:
    """The longest chain of dependent nodes by estimated duration."""

    path: list[str]
    duration_seconds: float


class Graph:
    """A validated DAG of nodes, in declaration order."""

    __slots__ = ("_dependents", "_index", "_levels", "_nodes")

    def __init__(self, nodes: Iterable[Node]) -> None:
        """Validate and index `nodes`.

        Raises:
            GraphError: a duplicate id, an unknown dependency or a cycle.
        """
        self._nodes: dict[str, Node] = {}
        for node in nodes:
            if node.id in self._nodes:
                raise GraphError(f"duplicate node id '{node.id}': give each node a unique id")
            self._nodes[node.id] = node
        self._index = {node_id: i for i, node_id in enumerate(self._nodes)}
        dependents: dict[str, list[str]] = {node_id: [] for node_id in self._nodes}
        for node in self._nodes.values():
            for dep in node.dependencies:
                if dep not in dependents:
                    raise GraphError(
                        f"node '{node.id}' depends on unknown node '{dep}': "
                        f"add a node '{dep}' or remove it from the dependencies of '{node.id}'"
                    )
                dependents[dep].append(node.id)
        self._dependents = {node_id: tuple(ids) for node_id, ids in dependents.items()}
        self._levels = self._compute_levels()

    def __len__(self) -> int:
        return len(self._nodes)

    def __iter__(self) -> Iterator[Node]:
        return iter(self._nodes.values())

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._nodes

    def __getitem__(self, node_id: str) -> Node:
        return self._nodes[node_id]

    def __repr__(self) -> str:
        return f"Graph({len(self._nodes)} nodes)"

    @property
    def nodes(self) -> Mapping[str, Node]:
        """Every node by id, in declaration order."""
        return MappingProxyType(self._nodes)

    @property
    def dependents(self) -> Mapping[str, tuple[str, ...]]:
        """For each node id, the ids of the nodes that depend on it directly."""
        return MappingProxyType(self._dependents)

    def index(self, node_id: str) -> int:
        """The position of `node_id` in declaration order (breaks priority ties)."""
        return self._index[node_id]

    def levels(self) -> list[list[str]]:
        """Execution levels: level k holds the nodes whose longest dependency chain has k links.

        Each level lists its nodes in declaration order. For display and estimates only.
        """
        return [list(level) for level in self._levels]

    def topological_order(self) -> list[str]:
        """Every node id, dependencies before dependents (level by level)."""
        return [node_id for level in self._levels for node_id in level]

    def critical_path(self) -> CriticalPath:
        """The chain with the largest total `estimated_duration_seconds`; ties go to the
        earlier-declared node."""
        finish: dict[str, float] = {}
        previous: dict[str, str | None] = {}
        for node_id in self.topological_order():
            node = self._nodes[node_id]
            best: str | None = None
            for dep in node.dependencies:
                if best is None or finish[dep] > finish[best]:
                    best = dep
            previous[node_id] = best
            start = 0.0 if best is None else finish[best]
            finish[node_id] = start + node.estimated_duration_seconds
        if not finish:
            return CriticalPath(path=[], duration_seconds=0.0)
        end = max(self._nodes, key=lambda node_id: (finish[node_id], -self._index[node_id]))
        path: list[str] = []
        cursor: str | None = end
        while cursor is not None:
            path.append(cursor)
            cursor = previous[cursor]
        path.reverse()
        return CriticalPath(path=path, duration_seconds=finish[end])

    def _compute_levels(self) -> tuple[tuple[str, ...], ...]:
        """Kahn's algorithm, one level at a time; raises GraphError naming a cycle."""
        waiting = {node_id: len(node.dependencies) for node_id, node in self._nodes.items()}
        level = [node_id for node_id, count in waiting.items() if count == 0]
        levels: list[tuple[str, ...]] = []
        placed = 0
        while level:
            levels.append(tuple(sorted(level, key=self._index.__getitem__)))
            placed += len(level)
            following: list[str] = []
            for node_id in level:
                for dependent in self._dependents[node_id]:
                    waiting[dependent] -= 1
                    if waiting[dependent] == 0:
                        following.append(dependent)
            level = following
        if placed < len(self._nodes):
            unplaced = {node_id for node_id, count in waiting.items() if count > 0}
            raise GraphError(
                f"cycle: {' -> '.join(self._find_cycle(unplaced))}; "
                "remove one of these dependencies to break it"
            )
        return tuple(levels)

    def _find_cycle(self, unplaced: set[str]) -> list[str]:
        """A cycle among `unplaced`, as `a -> b -> ... -> a`, starting at its earliest node.

        Every unplaced node still waits on an unplaced dependency, so walking from one
        such dependency to the next must revisit a node: that loop is a cycle.
        """
        start = min(unplaced, key=self._index.__getitem__)
        walk: list[str] = []
        seen: dict[str, int] = {}
        cursor = start
        while cursor not in seen:
            seen[cursor] = len(walk)
            walk.append(cursor)
            cursor = next(d for d in self._nodes[cursor].dependencies if d in unplaced)
        # The walk follows "depends on"; reverse it so arrows point from dependency to
        # dependent, then start at the earliest-declared node of the cycle.
        cycle = list(reversed(walk[seen[cursor] :]))
        first = cycle.index(min(cycle, key=self._index.__getitem__))
        cycle = cycle[first:] + cycle[:first]
        return [*cycle, cycle[0]]
