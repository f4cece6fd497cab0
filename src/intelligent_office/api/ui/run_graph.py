"""The DAG a run page draws, for each kind of run, from the run's input and its events.

An Office task: its subtasks (from `task.decomposed`) and each subtask's latest plan's
steps. A YAML graph workflow: its nodes (from the spec in the run's input) coloured by
the `node.*` events. An agent workflow: its agents, wired as its pattern runs them
(pipeline stages in order, a supervisor over its specialists, parallel workers into
their critic, a reflective agent and its critic, or the agents' own dependencies), each
coloured by the `agent.*` events, with what each agent's calls cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from intelligent_office.api.ui.dag import DagLayout, layout_dag
from intelligent_office.api.ui.task_view import TaskProgress
from intelligent_office.models import Event
from intelligent_office.run_kinds import RunKind, run_kind
from intelligent_office.store import RunRecord

__all__ = ["AgentLine", "RunGraph", "build_run_graph"]

Boxes = list[tuple[str, str, Sequence[str]]]
"""(id, label, dependencies) per box, as `layout_dag` takes them."""


@dataclass
class AgentLine:
    """One agent as the run page lists it: its state and what its calls took."""

    name: str
    state: str = "pending"
    model: str = ""
    calls: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0
    tool_calls: int = 0
    error: str = ""


@dataclass
class RunGraph:
    """What the run page draws: a titled DAG, more DAGs under it, and the agents' lines."""

    title: str
    layout: DagLayout
    pattern: str | None = None
    more: dict[str, DagLayout] = field(default_factory=dict)
    """Further graphs by title: an Office task's plans, one per subtask."""
    agents: list[AgentLine] = field(default_factory=list)


def build_run_graph(run: RunRecord, task_status: str, events: Sequence[Event]) -> RunGraph:
    """The graph of `run` as its events (oldest first) leave it."""
    kind = run_kind(run.workflow)
    if kind is RunKind.AGENTS:
        return _agents_graph(run.input, events)
    if kind is RunKind.GRAPH:
        return _nodes_graph(run.input, events)
    return _task_graph(task_status, events)


def _task_graph(task_status: str, events: Sequence[Event]) -> RunGraph:
    progress = TaskProgress.from_events(task_status, events)
    subtasks = progress.subtasks.values()
    layout = layout_dag(
        [(s.subtask_id, s.description, s.dependencies) for s in subtasks],
        {s.subtask_id: s.status for s in subtasks},
    )
    plans = {
        f"Steps of {subtask_id} · iteration {iteration}": layout_dag(
            [(s.step_id, f"{s.tool} {s.when}".strip(), s.dependencies) for s in steps],
            {s.step_id: s.status for s in steps},
        )
        for (subtask_id, iteration), steps in progress.plan_graphs().items()
    }
    return RunGraph(title="Subtasks", layout=layout, more=plans)


_NODE_STATUS = {
    "node.started": "running",
    "node.retrying": "running",
    "node.completed": "completed",
    "node.failed": "failed",
    "node.skipped": "skipped",
}


def _nodes_graph(value: dict[str, Any], events: Sequence[Event]) -> RunGraph:
    nodes = (value.get("spec") or {}).get("nodes") or []
    boxes: Boxes = [
        (str(n.get("id")), f"{n.get('kind', '')} {n.get('id')}", list(n.get("dependencies") or []))
        for n in nodes
    ]
    statuses: dict[str, str] = {}
    for event in events:
        status = _NODE_STATUS.get(event.type)
        if status is not None and event.payload.get("node_id") is not None:
            statuses[str(event.payload["node_id"])] = status
    return RunGraph(title="Nodes", layout=layout_dag(boxes, statuses))


def _agents_graph(value: dict[str, Any], events: Sequence[Event]) -> RunGraph:
    workflow = value.get("workflow") or {}
    agents = workflow.get("agents") or []
    pattern = workflow.get("pattern") or {}
    kind = str(pattern.get("kind") or "dag")
    dependencies = _pattern_edges(kind, pattern, agents)
    lines = {str(a.get("name")): AgentLine(name=str(a.get("name"))) for a in agents}
    for event in events:
        _apply(lines, event)
    boxes: Boxes = [
        (name, _agent_label(agent, line), dependencies.get(name, []))
        for agent in agents
        for name, line in [(str(agent.get("name")), lines[str(agent.get("name"))])]
    ]
    layout = layout_dag(boxes, {name: line.state for name, line in lines.items()})
    return RunGraph(title="Agents", layout=layout, pattern=kind, agents=list(lines.values()))


def _agent_label(agent: dict[str, Any], line: AgentLine) -> str:
    if line.model:
        return f"{line.model} · {line.tokens} tokens"
    return str(agent.get("role") or agent.get("system_prompt") or "")


def _pattern_edges(
    kind: str, pattern: dict[str, Any], agents: list[dict[str, Any]]
) -> dict[str, list[str]]:
    """Each agent's incoming edges as its pattern runs it (its own dependencies for a dag)."""
    edges: dict[str, list[str]] = {
        str(a.get("name")): [str(d) for d in a.get("dependencies") or []] for a in agents
    }
    if kind == "pipeline":
        stages = [str(stage.get("agent")) for stage in pattern.get("stages") or []]
        for before, after in zip(stages, stages[1:], strict=False):
            if before != after:
                edges.setdefault(after, []).append(before)
    elif kind == "supervisor":
        for name in pattern.get("specialists") or []:
            edges.setdefault(str(name), []).append(str(pattern.get("supervisor")))
    elif kind == "parallel" and pattern.get("critic"):
        edges.setdefault(str(pattern["critic"]), []).extend(map(str, pattern.get("workers") or []))
    elif kind == "reflective":
        edges.setdefault(str(pattern.get("critic")), []).append(str(pattern.get("agent")))
    return {name: list(dict.fromkeys(deps)) for name, deps in edges.items()}


def _apply(lines: dict[str, AgentLine], event: Event) -> None:
    data: dict[str, Any] = dict(event.payload)
    if event.type.startswith("workflow.") and event.type != "workflow.started":
        for name, state in (data.get("agents") or {}).items():
            if name in lines:
                lines[name].state = str(state)  # the run's final word on each agent
        return
    line = lines.get(str(data.get("agent")))
    if line is None:
        return
    if event.type == "agent.started":
        line.state = "running"
    elif event.type == "agent.finished":
        line.state = "completed"
        line.model = str(data.get("model") or "")
        line.calls += 1
        line.tokens += int(data.get("input_tokens") or 0) + int(data.get("output_tokens") or 0)
        line.cost_usd += float(data.get("cost_usd") or 0.0)
        line.seconds += float(data.get("seconds") or 0.0)
        line.tool_calls += len(data.get("tool_calls") or [])
    elif event.type == "agent.failed":
        line.state = "failed"
        line.error = str(data.get("error") or "")
