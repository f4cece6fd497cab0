"""Live view of a running DAG: a progress bar and the nodes that are doing something."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from pydantic import JsonValue

__all__ = ["GraphView", "STATUS_STYLE"]

STATUS_STYLE = {
    "pending": "dim",
    "running": "cyan",
    "retrying": "yellow",
    "completed": "green",
    "failed": "bold red",
    "skipped": "magenta",
    "cancelled": "magenta",
}
_FINISHED = {"completed", "failed", "skipped", "cancelled"}


@dataclass
class _NodeState:
    status: str = "pending"
    attempts: int = 0
    note: str = ""


@dataclass
class GraphView:
    """Node states fed by runtime events; renders itself for rich.live.Live."""

    title: str
    node_ids: list[str]
    max_rows: int = 20
    states: dict[str, _NodeState] = field(default_factory=dict)
    _touched: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.states = {node_id: _NodeState() for node_id in self.node_ids}

    def on_event(self, event_type: str, payload: dict[str, JsonValue]) -> None:
        """Update from a node.* event."""
        node_id = payload.get("node_id")
        if not isinstance(node_id, str) or node_id not in self.states:
            return
        state = self.states[node_id]
        attempt = payload.get("attempt")
        if isinstance(attempt, int):
            state.attempts = attempt
        kind = event_type.removeprefix("node.")
        if kind == "started":
            state.status = "running"
        elif kind == "retrying":
            state.status, state.note = "retrying", f"retry in {payload.get('delay_seconds')} s"
        elif kind in ("completed", "failed", "skipped", "cancelled"):
            state.status = kind
            state.note = str(payload.get("error") or payload.get("reason") or "")
        if node_id in self._touched:
            self._touched.remove(node_id)
        self._touched.append(node_id)

    def counts(self) -> Counter[str]:
        """How many nodes are in each status."""
        return Counter(state.status for state in self.states.values())

    def __rich__(self) -> RenderableType:
        counts = self.counts()
        done = sum(counts[s] for s in _FINISHED)
        summary = Text.assemble(
            (f"{self.title}  ", "bold"),
            f"{done}/{len(self.states)} done  ",
            *[
                (f"{status} {counts[status]}  ", STATUS_STYLE[status])
                for status in STATUS_STYLE
                if counts[status]
            ],
        )
        table = Table(box=None, show_header=True, header_style="bold")
        for column in ("node", "status", "attempts", "note"):
            table.add_column(column)
        active = [n for n in self._touched if self.states[n].status not in _FINISHED]
        recent = [n for n in reversed(self._touched) if n not in active]
        for node_id in (active + recent)[: self.max_rows]:
            state = self.states[node_id]
            table.add_row(
                node_id,
                Text(state.status, style=STATUS_STYLE.get(state.status, "")),
                str(state.attempts or ""),
                state.note[:80],
            )
        header = Table.grid(padding=(0, 2))
        header.add_row(
            ProgressBar(total=max(len(self.states), 1), completed=done, width=30), summary
        )
        return Group(header, table)
