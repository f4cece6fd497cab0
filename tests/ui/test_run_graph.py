"""The run page's DAG for each kind: an agent workflow's agents wired as its pattern runs
them and coloured by its events; a YAML graph's nodes; an Office task's subtasks and steps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from intelligent_office import Agent, Workflow
from intelligent_office.agentkit.durable import AgentWorkflowInput
from intelligent_office.agentkit.workflow import (
    ParallelSpec,
    PatternSpec,
    PipelineSpec,
    PipelineStage,
    ReflectiveSpec,
    SupervisorSpec,
)
from intelligent_office.api.ui.run_graph import build_run_graph
from intelligent_office.models import Event
from intelligent_office.store import RunRecord, RunStatus

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def run_of(workflow: str, value: dict[str, Any]) -> RunRecord:
    return RunRecord(
        run_id="r1",
        task_id="t1",
        workflow=workflow,
        input=value,
        status=RunStatus.RUNNING,
        priority=5,
        result=None,
        error=None,
        lease_owner=None,
        lease_expires_at=None,
        starts=1,
        created_at=NOW,
        started_at=NOW,
        finished_at=None,
    )


def events(*items: tuple[str, dict[str, Any]]) -> list[Event]:
    return [
        Event(type=kind, task_id="t1", run_id="r1", seq=n, time=NOW, payload=payload)
        for n, (kind, payload) in enumerate(items, start=1)
    ]


def agents_run(names: list[str], pattern: PatternSpec | None) -> RunRecord:
    workflow = Workflow(
        name="team",
        agents=[Agent(name=name, system_prompt=name) for name in names],
        pattern=pattern,
    )
    return run_of(
        "agentkit.workflow", AgentWorkflowInput(workflow=workflow).model_dump(mode="json")
    )


@pytest.mark.parametrize(
    ("names", "pattern", "edges"),
    [
        (
            ["a", "b", "c"],
            PipelineSpec(stages=[PipelineStage(agent=n) for n in ("a", "b", "c")]),
            {("a", "b"), ("b", "c")},
        ),
        (
            ["boss", "x", "y"],
            SupervisorSpec(supervisor="boss", specialists=["x", "y"]),
            {("boss", "x"), ("boss", "y")},
        ),
        (
            ["x", "y", "judge"],
            ParallelSpec(workers=["x", "y"], fusion="best_by_critic", critic="judge"),
            {("x", "judge"), ("y", "judge")},
        ),
        (["w", "c"], ReflectiveSpec(agent="w", critic="c"), {("w", "c")}),
    ],
)
def test_agents_are_wired_as_their_pattern_runs_them(
    names: list[str], pattern: PatternSpec, edges: set[tuple[str, str]]
) -> None:
    graph = build_run_graph(agents_run(names, pattern), "running", [])
    assert graph.title == "Agents" and graph.pattern == pattern.kind
    assert {(e.source, e.target) for e in graph.layout.edges} == edges
    assert [n.subtask_id for n in graph.layout.nodes] == names
    assert {n.status for n in graph.layout.nodes} == {"pending"}


def test_a_dag_of_agents_uses_their_dependencies_and_their_events() -> None:
    workflow = Workflow(
        name="team",
        agents=[
            Agent(name="research", system_prompt="r"),
            Agent(name="write", system_prompt="w", dependencies=["research"]),
            Agent(name="check", system_prompt="c", dependencies=["research"]),
        ],
    )
    run = run_of("agentkit.workflow", AgentWorkflowInput(workflow=workflow).model_dump(mode="json"))
    finished = {
        "agent": "research",
        "model": "gpt-x",
        "input_tokens": 10,
        "output_tokens": 5,
        "cost_usd": 0.25,
        "seconds": 1.5,
        "tool_calls": [{"tool": "calculator"}],
    }
    graph = build_run_graph(
        run,
        "running",
        events(
            ("agent.started", {"agent": "research"}),
            ("agent.finished", finished),
            ("agent.started", {"agent": "write"}),
            ("agent.failed", {"agent": "check", "error": "ModelNeeded: no model"}),
        ),
    )
    assert graph.pattern == "dag"
    assert {(e.source, e.target) for e in graph.layout.edges} == {
        ("research", "write"),
        ("research", "check"),
    }
    states = {n.subtask_id: n.status for n in graph.layout.nodes}
    assert states == {"research": "completed", "write": "running", "check": "failed"}
    research = graph.agents[0]
    assert (research.model, research.calls, research.tokens, research.tool_calls) == (
        "gpt-x",
        1,
        15,
        1,
    )
    assert research.cost_usd == 0.25 and graph.agents[2].error == "ModelNeeded: no model"
    # The run's last word on each agent wins (a skipped agent never started).
    settled = build_run_graph(
        run,
        "partial",
        events(("workflow.partial", {"agents": {"research": "completed", "write": "skipped"}})),
    )
    assert {n.subtask_id: n.status for n in settled.layout.nodes}["write"] == "skipped"


def test_a_graph_workflow_draws_its_nodes_coloured_by_their_events() -> None:
    spec = {
        "name": "two",
        "nodes": [
            {"id": "hello", "kind": "echo"},
            {"id": "bye", "kind": "echo", "dependencies": ["hello"]},
        ],
    }
    graph = build_run_graph(
        run_of("office.graph", {"spec": spec}),
        "running",
        events(("node.started", {"node_id": "hello"}), ("node.completed", {"node_id": "hello"})),
    )
    assert graph.title == "Nodes" and graph.pattern is None
    assert {n.subtask_id: n.status for n in graph.layout.nodes} == {
        "hello": "completed",
        "bye": "pending",
    }
    assert [(e.source, e.target) for e in graph.layout.edges] == [("hello", "bye")]


def test_an_office_task_draws_its_subtasks_and_each_plans_steps() -> None:
    subtasks = [
        {"subtask_id": "s1", "description": "add", "dependencies": []},
        {"subtask_id": "s2", "description": "multiply", "dependencies": ["s1"]},
    ]
    plan = {
        "subtask_id": "s1",
        "iteration": 1,
        "steps": [
            {"step_id": "a", "action": "calculator", "inputs": {}},
            {"step_id": "b", "action": "calculator", "inputs": {}, "dependencies": ["a"]},
        ],
    }
    graph = build_run_graph(
        run_of("office.task", {}),
        "running",
        events(
            ("task.decomposed", {"subtasks": subtasks}),
            ("subtask.started", {"subtask_id": "s1"}),
            ("plan.created", plan),
        ),
    )
    assert graph.title == "Subtasks"
    assert {n.subtask_id: n.status for n in graph.layout.nodes}["s1"] == "running"
    [(title, steps)] = graph.more.items()
    assert title == "Steps of s1 · iteration 1"
    assert [(e.source, e.target) for e in steps.edges] == [("a", "b")]
