"""The scheduler: readiness per node, parallelism, priority, retries, outputs and events."""

from __future__ import annotations

import asyncio

import pytest

from intelligent_office.engine import Graph, GraphStatus, Node, NodeStatus, RetryPolicy, run_graph
from intelligent_office.errors import PermanentError, TransientError, UserError
from tests.engine.fakes import Done, Recorder, RecordingRuntime, Work, sum_inputs

SLOW = 0.05
TICK = 0.001


async def test_a_node_starts_when_its_own_dependencies_are_done(
    recorder: Recorder, runtime: RecordingRuntime
) -> None:
    # Levels: [a, x1], [b, c, fast, x2], [d, fast2, x3], [x4]. A level-by-level
    # scheduler would hold fast2, x3 and x4 until the slow c finished.
    graph = Graph(
        [
            recorder.node("a", latency=TICK),
            recorder.node("b", "a", latency=TICK),
            recorder.node("c", "a", latency=SLOW),
            recorder.node("d", "b", "c"),
            recorder.node("fast", "a"),
            recorder.node("fast2", "fast"),
            recorder.node("x1"),
            recorder.node("x2", "x1"),
            recorder.node("x3", "x2"),
            recorder.node("x4", "x3"),
        ]
    )

    result = await run_graph(graph, runtime, max_parallel=10)

    assert result.status is GraphStatus.COMPLETED
    at = recorder.index
    assert at("start fast") > at("end a")
    assert at("start fast2") < at("end c")
    assert at("end x4") < at("end c")
    assert at("start d") > max(at("end b"), at("end c"))
    assert result.completion_order.index("fast2") < result.completion_order.index("c")
    assert result.completion_order[-2:] == ["c", "d"]


async def test_max_parallel_is_honoured(recorder: Recorder, runtime: RecordingRuntime) -> None:
    graph = Graph(recorder.node(f"n{i}", latency=TICK) for i in range(12))

    result = await run_graph(graph, runtime, max_parallel=3)

    assert result.succeeded
    assert recorder.max_running == 3


async def test_one_at_a_time_runs_a_graph_to_the_end(
    recorder: Recorder, runtime: RecordingRuntime
) -> None:
    graph = Graph(
        [recorder.node("a"), recorder.node("b", "a"), recorder.node("c", "a"), recorder.node("d")]
    )
    result = await run_graph(graph, runtime, max_parallel=1)
    assert result.succeeded
    assert recorder.max_running == 1
    assert result.completion_order == ["a", "b", "c", "d"]  # ties go by declaration order


async def test_ready_nodes_start_by_priority_then_declaration(
    recorder: Recorder, runtime: RecordingRuntime
) -> None:
    graph = Graph(
        [
            recorder.node("low_root", priority=2),
            recorder.node("root", priority=6),
            recorder.node("p1", "root", priority=1),
            recorder.node("p9", "root", priority=9),
            recorder.node("p5a", "root"),
            recorder.node("p5b", "root"),
        ]
    )

    await run_graph(graph, runtime, max_parallel=1)

    starts = [entry.removeprefix("start ") for entry in recorder.log if entry.startswith("start")]
    # low_root was ready from the start, but every node released by root outranks it
    # except p1.
    assert starts == ["root", "p9", "p5a", "p5b", "low_root", "p1"]


async def test_outputs_reach_dependents_through_the_input_builder(
    recorder: Recorder, runtime: RecordingRuntime
) -> None:
    graph = Graph(
        [
            recorder.node("a", value=1),
            recorder.node("b", value=2),
            recorder.node("x", value=100),
            Node(
                "sum",
                recorder.activity("sum", value=0),
                input=sum_inputs("sum"),
                dependencies=("a", "b"),
            ),
        ]
    )

    result = await run_graph(graph, runtime)

    assert result.outputs["sum"] == Done(node="sum", value=3)
    assert result.nodes["sum"].output == Done(node="sum", value=3)


async def test_a_broken_input_builder_fails_its_node_permanently(
    recorder: Recorder, runtime: RecordingRuntime
) -> None:
    def broken(outputs: object) -> Work:
        raise KeyError("missing")

    graph = Graph(
        [
            recorder.node("a"),
            Node("b", recorder.activity("b"), input=broken, dependencies=("a",)),
            Node("c", recorder.activity("c"), input=lambda outputs: Done(node="c", value=0)),
        ]
    )

    result = await run_graph(graph, runtime, failure_mode="continue")

    b, c = result.nodes["b"], result.nodes["c"]
    assert (b.status, b.attempts, b.retryable) == (NodeStatus.FAILED, 0, False)
    assert b.error == "building the input failed: KeyError: 'missing'"
    assert c.error == "building the input failed: got Done, activity 'c' takes Work"
    assert recorder.calls["b"] == recorder.calls["c"] == 0


async def test_timeout_is_retried_and_the_retry_succeeds(recorder: Recorder) -> None:
    runtime = RecordingRuntime()
    graph = Graph(
        [
            recorder.node(
                "flaky",
                script=[1.0, 0.0],
                timeout_seconds=0.02,
                retry=RetryPolicy.constant(0.25, max_attempts=2),
            )
        ]
    )

    result = await run_graph(graph, runtime)

    flaky = result.nodes["flaky"]
    assert (flaky.status, flaky.attempts) == (NodeStatus.COMPLETED, 2)
    assert runtime.activity_keys == ["node/flaky/attempt/1", "node/flaky/attempt/2"]
    assert runtime.sleeps == [("node/flaky/attempt/1/backoff", 0.25)]
    assert runtime.of_type("node.retrying") == [
        {
            "node_id": "flaky",
            "attempt": 1,
            "delay_seconds": 0.25,
            "error": "TimeoutError: timed out",
        }
    ]


async def test_transient_errors_retry_until_attempts_run_out(
    recorder: Recorder, runtime: RecordingRuntime
) -> None:
    graph = Graph(
        [
            recorder.node(
                "net",
                script=[TransientError("blip")] * 3,
                retry=RetryPolicy.immediate(max_attempts=3),
            )
        ]
    )

    result = await run_graph(graph, runtime)

    net = result.nodes["net"]
    assert (net.status, net.attempts, net.retryable) == (NodeStatus.FAILED, 3, True)
    assert net.error == "TransientError: blip"
    assert recorder.calls["net"] == 3
    assert runtime.sleeps == []  # immediate retries do not sleep
    assert runtime.of_type("node.failed") == [
        {"node_id": "net", "attempts": 3, "error": "TransientError: blip", "retryable": True}
    ]


@pytest.mark.parametrize("error", [PermanentError("bad input"), ValueError("bad input")])
async def test_permanent_errors_are_not_retried(
    recorder: Recorder, runtime: RecordingRuntime, error: Exception
) -> None:
    graph = Graph(
        [recorder.node("parse", script=[error], retry=RetryPolicy.immediate(max_attempts=5))]
    )

    result = await run_graph(graph, runtime)

    parse = result.nodes["parse"]
    assert (parse.status, parse.attempts, parse.retryable) == (NodeStatus.FAILED, 1, False)
    assert parse.error == f"{type(error).__name__}: bad input"
    assert recorder.calls["parse"] == 1


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (RetryPolicy.constant(0.5, max_attempts=4), [0.5, 0.5, 0.5]),
        (RetryPolicy.linear(0.5, max_attempts=4), [0.5, 1.0, 1.5]),
        (
            RetryPolicy.exponential(1.0, max_attempts=5, max_delay_seconds=3.0, jitter=0.0),
            [1.0, 2.0, 3.0, 3.0],
        ),
    ],
)
async def test_backoff_sleeps_follow_the_policy(
    recorder: Recorder, runtime: RecordingRuntime, policy: RetryPolicy, expected: list[float]
) -> None:
    attempts = policy.max_attempts
    script = [TransientError("blip")] * (attempts - 1)
    graph = Graph([recorder.node("n", script=script, retry=policy)])

    result = await run_graph(graph, runtime)

    assert result.nodes["n"].attempts == attempts
    assert runtime.sleeps == [
        (f"node/n/attempt/{n}/backoff", delay) for n, delay in enumerate(expected, start=1)
    ]


async def test_jittered_backoff_is_the_same_on_every_run(recorder: Recorder) -> None:
    policy = RetryPolicy.exponential(1.0, max_attempts=3, jitter=0.5)
    sleeps = []
    for _ in range(2):
        runtime = RecordingRuntime()
        graph = Graph([recorder.node("n", script=[TransientError("blip")] * 2, retry=policy)])
        await run_graph(graph, runtime)
        sleeps.append(runtime.sleeps)
        recorder.calls.clear()
    assert sleeps[0] == sleeps[1]
    assert [delay for _, delay in sleeps[0]] == [
        policy.delay(1, "node/n"),
        policy.delay(2, "node/n"),
    ]
    assert 0.5 <= sleeps[0][0][1] <= 1.0 and 1.0 <= sleeps[0][1][1] <= 2.0


async def test_events_and_keys(recorder: Recorder, runtime: RecordingRuntime) -> None:
    graph = Graph(
        [
            recorder.node("a", script=[TransientError("blip")], retry=RetryPolicy.immediate()),
            recorder.node("b", "a"),
        ]
    )

    await run_graph(graph, runtime, key_prefix="subtask/s1/")

    scope = {"scope": "subtask/s1"}  # with a key prefix, events say which graph they are from
    assert runtime.events == [
        ("node.started", {"node_id": "a", "attempt": 1, **scope}),
        (
            "node.retrying",
            {
                "node_id": "a",
                "attempt": 1,
                "delay_seconds": 0.0,
                "error": "TransientError: blip",
                **scope,
            },
        ),
        ("node.started", {"node_id": "a", "attempt": 2, **scope}),
        ("node.completed", {"node_id": "a", "attempt": 2, **scope}),
        ("node.started", {"node_id": "b", "attempt": 1, **scope}),
        ("node.completed", {"node_id": "b", "attempt": 1, **scope}),
    ]
    assert runtime.activity_keys == [
        "subtask/s1/node/a/attempt/1",
        "subtask/s1/node/a/attempt/2",
        "subtask/s1/node/b/attempt/1",
    ]


async def test_event_keys_dedup_a_replay(recorder: Recorder, runtime: RecordingRuntime) -> None:
    graph = Graph([recorder.node("a"), recorder.node("b", "a")])

    await run_graph(graph, runtime)
    await run_graph(graph, runtime)
    assert len(runtime.events) == 4
    await run_graph(graph, runtime, key_prefix="again/")
    assert len(runtime.events) == 8


async def test_an_empty_graph_completes(runtime: RecordingRuntime) -> None:
    result = await run_graph(Graph([]), runtime)
    assert result.status is GraphStatus.COMPLETED
    assert result.nodes == {}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_parallel": 0}, "max_parallel must be at least 1, got 0"),
        (
            {"failure_mode": "ignore"},
            "failure_mode must be 'fail_fast' or 'continue', got 'ignore'",
        ),
    ],
)
async def test_bad_options_are_user_errors(
    runtime: RecordingRuntime, options: dict[str, object], message: str
) -> None:
    with pytest.raises(UserError) as raised:
        await run_graph(Graph([]), runtime, **options)  # type: ignore[arg-type]
    assert str(raised.value) == message


async def test_cancelling_the_run_cancels_its_nodes(recorder: Recorder) -> None:
    graph = Graph(recorder.node(f"n{i}", latency=10.0) for i in range(3))
    run = asyncio.create_task(run_graph(graph, RecordingRuntime()))
    while recorder.running < 3:
        await asyncio.sleep(0)

    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run

    assert recorder.running == 0
