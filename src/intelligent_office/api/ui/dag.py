"""Lays out a task's subtask DAG for an SVG drawn on the server: one column per depth.

A subtask's depth is the length of the longest dependency chain before it, so every edge
points right and subtasks that can run in parallel share a column. A column taller than
`MAX_ROWS` boxes wraps into several side by side (boxes of one depth never depend on each
other, so edges still point right): a graph of 20+ subtasks stays a picture that fits
its box, scrolled inside it when it is still larger; each label is cut to one line and
the box's <title> holds the full text.
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
MAX_ROWS = 6


@dataclass(frozen=True)
class DagNode:
    """A subtask's box: where it sits and what it says."""

    subtask_id: str
    label: str
    status: str
    x: int
    y: int


@dataclass(frozen=True)
class DagEdge:
    """An arrow from a dependency's right side to its dependent's left side."""

    source: str
    target: str
    x1: int
    y1: int
    x2: int
    y2: int
    lane_y: int | None = None
    """For an arrow that skips columns: the gap between rows it runs along, past the boxes."""

    @property
    def path(self) -> str:
        """An SVG path: an S-curve between neighbouring columns; farther, along the gaps."""
        if self.lane_y is None:
            middle = (self.x1 + self.x2) // 2
            return (
                f"M{self.x1},{self.y1} C{middle},{self.y1} {middle},{self.y2} {self.x2},{self.y2}"
            )
        out, into = self.x1 + COLUMN_GAP // 2, self.x2 - COLUMN_GAP // 2
        return f"M{self.x1},{self.y1} H{out} V{self.lane_y} H{into} V{self.y2} H{self.x2}"


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


def _edge(source: DagNode, target: DagNode, skips: bool) -> DagEdge:
    # An arrow past other columns would cross their boxes: it runs along the gap above
    # its target's row instead (a row gap is empty across the whole picture).
    return DagEdge(
        source=source.subtask_id,
        target=target.subtask_id,
        x1=source.x + NODE_WIDTH,
        y1=source.y + NODE_HEIGHT // 2,
        x2=target.x,
        y2=target.y + NODE_HEIGHT // 2,
        lane_y=max(target.y - ROW_GAP // 2, 1) if skips else None,
    )


def layout_dag(
    subtasks: Sequence[tuple[str, str, Sequence[str]]], statuses: Mapping[str, str]
) -> DagLayout:
    """Place each subtask in the column of its depth, in the order they were given.

    Args:
        subtasks: (subtask_id, description, dependencies) as the decomposition listed them.
        statuses: each subtask's status so far; a missing one is `pending`.
    """
    depths = _depths({subtask_id: deps for subtask_id, _, deps in subtasks})
    per_depth: dict[int, int] = {}
    for subtask_id, _, _ in subtasks:
        per_depth[depths[subtask_id]] = per_depth.get(depths[subtask_id], 0) + 1
    first_column: dict[int, int] = {}  # depth -> its first column, after the wraps before it
    columns = 0
    for depth in sorted(per_depth):
        first_column[depth] = columns
        columns += -(-per_depth[depth] // MAX_ROWS)
    placed: dict[int, int] = {}
    nodes: dict[str, DagNode] = {}
    column_of: dict[str, int] = {}
    tallest = 0
    for subtask_id, description, _ in subtasks:
        depth = depths[subtask_id]
        index = placed.get(depth, 0)
        placed[depth] = index + 1
        column, row = first_column[depth] + index // MAX_ROWS, index % MAX_ROWS
        tallest = max(tallest, row + 1)
        column_of[subtask_id] = column
        nodes[subtask_id] = DagNode(
            subtask_id=subtask_id,
            label=_label(description),
            status=statuses.get(subtask_id, "pending"),
            x=MARGIN + column * (NODE_WIDTH + COLUMN_GAP),
            y=MARGIN + row * (NODE_HEIGHT + ROW_GAP),
        )
    edges = [
        _edge(nodes[dep], nodes[subtask_id], column_of[subtask_id] - column_of[dep] > 1)
        for subtask_id, _, deps in subtasks
        for dep in deps
        if dep in nodes
    ]
    return DagLayout(
        nodes=list(nodes.values()),
        edges=edges,
        width=2 * MARGIN + max(columns * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP, 0),
        height=2 * MARGIN + max(tallest * (NODE_HEIGHT + ROW_GAP) - ROW_GAP, 0),
    )
