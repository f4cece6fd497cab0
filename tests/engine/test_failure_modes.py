"""Partial completion: fail_fast stops the graph; continue skips only what depends on a failure."""

from __future__ import annotations

import pytest

from intelligent_office.engine import Graph, GraphStatus, RetryPolicy, run_graph
from intelligent_office.errors import LeaseLost, PermanentError, TransientError
from intelligent_office.runtime import Activity
from tests.engine.fakes import InT, OutT, Recorder, RecordingRuntime

BOOM = PermanentError("boom")


async def test_fail_fast_cancels_running_nodes_and_skips_the_rest(
    recorder: Recorder, runtime: RecordingRuntime
) -> None:
    graph = Graph(
        [
            recorder.node("a", script=[BOOM]),
            recorder.node("slow", latency=10.0),
            recorder.node("b", "a"),
            recorder.node("c", "slow"),
            recorder.node("ok"),
        ]
    )

    result = await run_graph(graph, runtime, max_parallel=2)

    reason = "graph stopped: node 'a' failed: PermanentError: boom"
    assert result.status is GraphStatus.FAILED
    assert result.failure_reason == "node 'a' failed: PermanentError: boom"
    assert result.failed_nodes == ["a"]
    assert result.cancelled_nodes == ["slow"]
    assert result.skipped_nodes == ["b", "c", "ok"]
    assert {result.nodes[n].skip_reason for n in ("slow", "b", "c", "ok")} == {reason}
    assert "end slow" not in recorder.log and recorder.running == 0
    assert recorder.calls["ok"] == 0
    assert runtime.of_type("node.cancelled") == [{"node_id": "slow", "reason": reason}]
    assert [event["node_id"] for event in runtime.of_type("node.skipped")] == ["b", "c", "ok"]


async def test_fail_fast_with_retries_left_keeps_going(
    recorder: Recorder, runtime: RecordingRuntime
) -> None:
    graph = Graph(
        [
            recorder.node("a", script=[TransientError("blip")], retry=RetryPolicy.immediate()),
            recorder.node("b", "a"),
        ]
    )
    result = await run_graph(graph, runtime)
    assert result.status is GraphStatus.COMPLETED
    assert result.nodes["a"].attempts == 2


async def test_continue_skips_dependents_with_reasons(
    recorder: Recorder, runtime: RecordingRuntime
) -> None:
    graph = Graph(
        [
            recorder.node("a"),
            recorder.node("b", "a", script=[BOOM]),
            recorder.node("c", "b"),
            recorder.node("d", "c", "e"),
            recorder.node("e"),
            recorder.node("f", "a"),
        ]
    )

    result = await run_graph(graph, runtime, failure_mode="continue")

    assert result.status is GraphStatus.PARTIAL
    assert result.failure_reason is None
    assert result.failed_nodes == ["b"]
    assert result.skipped_nodes == ["c", "d"]
    assert result.nodes["c"].skip_reason == "dependency 'b' failed"
    assert result.nodes["d"].skip_reason == "dependency 'c' skipped"
    assert sorted(result.completion_order) == ["a", "e", "f"]
    assert runtime.of_type("node.skipped") == [
        {"node_id": "c", "reason": "dependency 'b' failed"},
        {"node_id": "d", "reason": "dependency 'c' skipped"},
    ]


async def test_continue_fails_the_graph_when_a_critical_node_fails(
    recorder: Recorder, runtime: RecordingRuntime
) -> None:
    graph = Graph(
        [
            recorder.node("deploy", script=[BOOM], priority=8),
            recorder.node("docs"),
            recorder.node("lint"),
            recorder.node("test"),
        ]
    )

    result = await run_graph(graph, runtime, failure_mode="continue")

    assert result.status is GraphStatus.FAILED
    assert result.failure_reason == "critical node 'deploy' failed"
    # continue mode still ran everything else
    assert sorted(result.completion_order) == ["docs", "lint", "test"]


@pytest.mark.parametrize(
    ("failing", "status"),
    [
        (0, GraphStatus.COMPLETED),
        (1, GraphStatus.PARTIAL),
        (2, GraphStatus.PARTIAL),
        (3, GraphStatus.FAILED),
    ],
)
async def test_continue_fails_the_graph_when_more_than_half_fail(
    recorder: Recorder, runtime: RecordingRuntime, failing: int, status: GraphStatus
) -> None:
    graph = Graph(recorder.node(f"n{i}", script=[BOOM] if i < failing else []) for i in range(4))

    result = await run_graph(graph, runtime, failure_mode="continue")

    assert result.status is status
    assert len(result.failed_nodes) == failing
    if status is GraphStatus.FAILED:
        assert result.failure_reason == (
            "3 of 4 nodes failed or were skipped (more than half): 3 failed"
        )


async def test_an_error_that_is_not_a_node_failure_stops_the_run(recorder: Recorder) -> None:
    class LosingRuntime(RecordingRuntime):
        """Loses its lease when a node named 'lost' is called."""

        async def activity(
            self,
            key: str,
            activity: Activity[InT, OutT],
            value: InT,
            *,
            timeout_seconds: float | None = None,
        ) -> OutT:
            if activity.name == "lost":
                raise LeaseLost("another worker took over")
            return await super().activity(key, activity, value, timeout_seconds=timeout_seconds)

    graph = Graph([recorder.node("slow", latency=10.0), recorder.node("lost")])

    with pytest.raises(LeaseLost):
        await run_graph(graph, LosingRuntime(), failure_mode="continue")

    assert recorder.running == 0
    assert "end slow" not in recorder.log


async def test_continue_counts_nodes_skipped_by_a_failure_toward_more_than_half(
    recorder: Recorder, runtime: RecordingRuntime
) -> None:
    chain = [recorder.node("n0", script=[BOOM])]
    chain += [recorder.node(f"n{i}", f"n{i - 1}") for i in range(1, 4)]

    result = await run_graph(Graph(chain), runtime, failure_mode="continue")

    assert result.status is GraphStatus.FAILED
    assert result.failure_reason == (
        "4 of 4 nodes failed or were skipped (more than half): 1 failed"
    )
