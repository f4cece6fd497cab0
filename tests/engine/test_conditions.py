"""Node conditions: a branch not taken is skipped with its dependants, and does not count
against the graph; a join that runs after skips still runs; a broken condition fails."""

from __future__ import annotations

from collections.abc import Mapping

from intelligent_office.engine import GraphStatus, run_graph
from intelligent_office.engine.graph import Graph
from intelligent_office.engine.result import NodeResult
from tests.engine.fakes import Recorder, RecordingRuntime


def never(results: Mapping[str, NodeResult]) -> str | None:
    return "not today"


def broken(results: Mapping[str, NodeResult]) -> str | None:
    raise ValueError("cannot decide")


async def test_a_false_condition_skips_the_branch_and_a_join_still_runs(
    recorder: Recorder, runtime: RecordingRuntime
) -> None:
    graph = Graph(
        [
            recorder.node("a"),
            recorder.node("b", "a", condition=never),
            recorder.node("c", "b"),
            recorder.node("d", "a"),
            recorder.node("join", "c", "d", run_after_skipped=True),
        ]
    )
    result = await run_graph(graph, runtime, failure_mode="continue")
    assert result.status is GraphStatus.COMPLETED  # skipped branches are not failures
    assert result.skipped_nodes == ["b", "c"]
    assert result.nodes["b"].skip_reason == "not today" and result.nodes["b"].by_condition
    assert result.nodes["c"].skip_reason == "dependency 'b' was skipped"
    assert result.completion_order == ["a", "d", "join"]
    assert recorder.calls["b"] == 0 and recorder.calls["c"] == 0
    assert [e["node_id"] for e in runtime.of_type("node.skipped")] == ["b", "c"]


async def test_a_condition_that_raises_fails_its_node(
    recorder: Recorder, runtime: RecordingRuntime
) -> None:
    graph = Graph([recorder.node("a", condition=broken), recorder.node("b", "a")])
    result = await run_graph(graph, runtime, failure_mode="continue")
    assert result.failed_nodes == ["a"]
    assert result.nodes["a"].error == "the condition failed: ValueError: cannot decide"
    assert result.skipped_nodes == ["b"] and not result.nodes["b"].by_condition
    assert result.status is GraphStatus.FAILED
