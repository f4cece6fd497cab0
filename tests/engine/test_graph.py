"""Graph validation, levels and the critical path."""

from __future__ import annotations

import pytest

import intelligent_office.engine as engine
from intelligent_office.engine import Graph, Node
from intelligent_office.errors import GraphError, UserError
from tests.engine.fakes import Done, Recorder, Work


def graph_of(recorder: Recorder, spec: dict[str, tuple[str, ...]], **durations: float) -> Graph:
    """A graph from `{id: dependencies}`, with optional estimated durations by id."""
    return Graph(
        recorder.node(node_id, *deps, estimated_duration_seconds=durations.get(node_id, 1.0))
        for node_id, deps in spec.items()
    )


def test_public_names_are_pinned() -> None:
    assert engine.__all__ == [
        "CriticalPath",
        "FailureMode",
        "Graph",
        "GraphResult",
        "GraphStatus",
        "Node",
        "NodeResult",
        "NodeStatus",
        "RetryPolicy",
        "run_graph",
    ]


def test_duplicate_id_is_named(recorder: Recorder) -> None:
    with pytest.raises(GraphError) as raised:
        Graph([recorder.node("a"), recorder.node("b"), recorder.node("a")])
    assert str(raised.value) == "duplicate node id 'a': give each node a unique id"


def test_unknown_dependency_names_node_and_missing_id(recorder: Recorder) -> None:
    with pytest.raises(GraphError) as raised:
        graph_of(recorder, {"a": (), "b": ("a", "z")})
    assert str(raised.value) == (
        "node 'b' depends on unknown node 'z': "
        "add a node 'z' or remove it from the dependencies of 'b'"
    )


def test_graph_error_is_a_user_error(recorder: Recorder) -> None:
    with pytest.raises(UserError):
        graph_of(recorder, {"a": ("a",)})


@pytest.mark.parametrize(
    ("spec", "cycle"),
    [
        ({"a": ("c",), "b": ("a",), "c": ("b",)}, "a -> b -> c -> a"),
        ({"a": ("a",)}, "a -> a"),
        # Upstream and downstream nodes are not part of the cycle; it starts at its
        # earliest-declared node, whichever node the search began from.
        (
            {"down": ("y",), "root": (), "x": ("root", "z"), "y": ("x",), "z": ("y",)},
            "x -> y -> z -> x",
        ),
    ],
)
def test_cycle_is_named(recorder: Recorder, spec: dict[str, tuple[str, ...]], cycle: str) -> None:
    with pytest.raises(GraphError) as raised:
        graph_of(recorder, spec)
    assert str(raised.value) == f"cycle: {cycle}; remove one of these dependencies to break it"


def test_levels_follow_dependencies_in_declaration_order(recorder: Recorder) -> None:
    graph = graph_of(
        recorder,
        {
            "x1": (),
            "a": (),
            "b": ("a",),
            "c": ("a",),
            "d": ("b", "c"),
            "x2": ("x1",),
            "x3": ("x2",),
        },
    )
    assert graph.levels() == [["x1", "a"], ["b", "c", "x2"], ["d", "x3"]]
    assert graph.topological_order() == ["x1", "a", "b", "c", "x2", "d", "x3"]


def test_level_is_the_longest_chain_to_a_node(recorder: Recorder) -> None:
    graph = graph_of(recorder, {"a": (), "b": ("a",), "c": ("a", "b")})
    assert graph.levels() == [["a"], ["b"], ["c"]]


def test_dependents_and_lookup(recorder: Recorder) -> None:
    graph = graph_of(recorder, {"a": (), "b": ("a",), "c": ("a",)})
    assert graph.dependents == {"a": ("b", "c"), "b": (), "c": ()}
    assert len(graph) == 3 and "b" in graph and "z" not in graph
    assert [node.id for node in graph] == ["a", "b", "c"]
    assert graph["c"].dependencies == ("a",)
    assert graph.index("c") == 2


def test_critical_path_sums_estimated_durations(recorder: Recorder) -> None:
    graph = graph_of(
        recorder,
        {"a": (), "b": ("a",), "c": ("a",), "d": ("b", "c"), "x": ()},
        a=1.0,
        b=2.0,
        c=5.0,
        d=1.5,
        x=7.0,
    )
    path = graph.critical_path()
    assert path.path == ["a", "c", "d"]
    assert path.duration_seconds == pytest.approx(7.5)


def test_critical_path_ties_go_to_the_earlier_node(recorder: Recorder) -> None:
    graph = graph_of(recorder, {"a": (), "b": (), "c": ("a", "b")})
    assert graph.critical_path().path == ["a", "c"]


def test_empty_graph(recorder: Recorder) -> None:
    graph = Graph([])
    assert graph.levels() == []
    assert graph.critical_path().path == []
    assert graph.critical_path().duration_seconds == 0.0


def test_node_normalizes_dependencies(recorder: Recorder) -> None:
    node = Node("b", recorder.activity("b"), Work(node="b"), dependencies=["a", "a"])  # type: ignore[arg-type]
    assert node.dependencies == ("a",)
    assert not node.critical
    assert Node("c", recorder.activity("c"), Work(node="c"), priority=8).critical


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"node_id": ""}, "node id '' is not usable: ids must be non-empty and contain no '/'"),
        (
            {"node_id": "a/b"},
            "node id 'a/b' is not usable: ids must be non-empty and contain no '/'",
        ),
        (
            {"dependencies": "ab"},
            "node 'n': dependencies must be a list of node ids, not the string 'ab'",
        ),
        ({"priority": 11}, "node 'n': priority must be 0..10, got 11"),
        ({"timeout_seconds": 0}, "node 'n': timeout_seconds must be positive or None, got 0"),
        (
            {"estimated_duration_seconds": -1},
            "node 'n': estimated_duration_seconds must be >= 0, got -1",
        ),
    ],
)
def test_node_rejects_bad_settings(
    recorder: Recorder, options: dict[str, object], message: str
) -> None:
    node_id = str(options.pop("node_id", "n"))
    with pytest.raises(GraphError) as raised:
        Node(node_id, recorder.activity("n"), Work(node="n"), **options)  # type: ignore[arg-type]
    assert str(raised.value) == message


def test_node_rejects_input_of_the_wrong_type(recorder: Recorder) -> None:
    with pytest.raises(GraphError) as raised:
        Node("n", recorder.activity("act"), input=Done(node="n", value=1))
    assert str(raised.value) == "node 'n': input is Done but activity 'act' takes Work"
