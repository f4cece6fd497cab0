"""Lays out a task's subtask DAG for an SVG drawn on the server: one column per depth.

A subtask's depth is the length of the longest dependency chain before it, so every edge
points right and subtasks that can run in parallel share a column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["DagEdge", "DagLayout", "DagNode", "layout_dag"]

NODE_WIDTH = 200
NODE_HEIGHT = 56
COLUMN_GAP = 60
ROW_GAP = 20
MARGIN = 10


@dataclass(frozen=True)
class DagNode:
    """A subtask's box: where it sits and what it says."""

    subtask_id: str
    label: str
    status: str
    x: int
    y: int
    title: str = ""
    """The whole description (the label may be cut)."""


@dataclass(frozen=True)
class DagEdge:
    """An arrow from a dependency's right side to its dependent's left side."""

    source: str
    target: str
    x1: int
    y1: int
    x2: int
    y2: int

    @property
    def path(self) -> str:
        """An SVG path: a horizontal S-curve between the two boxes."""
        middle = (self.x1 + self.x2) // 2
        return f"M{self.x1},{self.y1} C{middle},{self.y1} {middle},{self.y2} {self.x2},{self.y2}"


@dataclass(frozen=True)
class DagLayout:
    """Boxes and arrows with the size of the picture that holds them."""

    nodes: list[DagNode]
    edges: list[DagEdge]
    width: int
    height: int
    node_width: int = NODE_WIDTH
    node_height: int = NODE_HEIGHT


def _depths(dependencies: Mapping[str, Sequence[str]]) -> dict[str, int]:
    depths: dict[str, int] = {}
    visiting: set[str] = set()

    def depth(node: str) -> int:
        if node in depths:
            return depths[node]
        if node in visiting:  # a cycle never reaches here from a validated graph; draw it flat
            return 0
        visiting.add(node)
        known = [dep for dep in dependencies[node] if dep in dependencies]
        depths[node] = 1 + max((depth(dep) for dep in known), default=-1)
        visiting.discard(node)
        return depths[node]

    for node in dependencies:
        depth(node)
    return depths


def _label(text: str, width: int = 28) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def layout_dag(
    subtasks: Sequence[tuple[str, str, Sequence[str]]], statuses: Mapping[str, str]
) -> DagLayout:
    """Place each subtask in the column of its depth, in the order they were given.

    Args:
        subtasks: (subtask_id, description, dependencies) as the decomposition listed them.
        statuses: each subtask's status so far; a missing one is `pending`.
    """
    depths = _depths({subtask_id: deps for subtask_id, _, deps in subtasks})
    rows: dict[int, int] = {}
    nodes: dict[str, DagNode] = {}
    for subtask_id, description, _ in subtasks:
        column = depths[subtask_id]
        row = rows.get(column, 0)
        rows[column] = row + 1
        nodes[subtask_id] = DagNode(
            subtask_id=subtask_id,
            label=_label(description),
            status=statuses.get(subtask_id, "pending"),
            x=MARGIN + column * (NODE_WIDTH + COLUMN_GAP),
            y=MARGIN + row * (NODE_HEIGHT + ROW_GAP),
            title=" ".join(description.split()),
        )
    edges = [
        DagEdge(
            source=dep,
            target=subtask_id,
            x1=nodes[dep].x + NODE_WIDTH,
            y1=nodes[dep].y + NODE_HEIGHT // 2,
            x2=nodes[subtask_id].x,
            y2=nodes[subtask_id].y + NODE_HEIGHT // 2,
        )
        for subtask_id, _, deps in subtasks
        for dep in deps
        if dep in nodes
    ]
    columns = max(rows, default=-1) + 1
    tallest = max(rows.values(), default=0)
    return DagLayout(
        nodes=list(nodes.values()),
        edges=edges,
        width=2 * MARGIN + max(columns * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP, 0),
        height=2 * MARGIN + max(tallest * (NODE_HEIGHT + ROW_GAP) - ROW_GAP, 0),
    )
