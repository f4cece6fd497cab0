"""The live view's parts without a server: the DAG layout and the events folded into it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from intelligent_office.api.ui.dag import COLUMN_GAP, MAX_ROWS, NODE_HEIGHT, NODE_WIDTH, layout_dag
from intelligent_office.api.ui.task_view import TaskProgress
from intelligent_office.models import Event


def test_subtasks_are_laid_out_in_columns_by_dependency_depth() -> None:
    # s4 depends on s2 and s3, which both depend on s1; s5 stands alone.
    layout = layout_dag(
        [
            ("s1", "Read the file a.txt", []),
            ("s2", "Summarize a.txt", ["s1"]),
            ("s3", "Search for TODO in a.txt", ["s1"]),
            ("s4", "Write the report", ["s2", "s3"]),
            ("s5", "Calculate 6 * 7", []),
        ],
        {"s1": "completed", "s2": "running"},
    )
    place = {node.subtask_id: (node.x, node.y) for node in layout.nodes}
    step = NODE_WIDTH + COLUMN_GAP
    assert [place[s][0] for s in ("s1", "s5", "s2", "s3", "s4")] == [
        10,
        10,
        10 + step,
        10 + step,
        10 + 2 * step,
    ]
    assert place["s1"][1] != place["s5"][1] and place["s2"][1] != place["s3"][1]
    assert {node.subtask_id: node.status for node in layout.nodes} == {
        "s1": "completed",
        "s2": "running",
        "s3": "pending",
        "s4": "pending",
        "s5": "pending",
    }
    assert sorted((edge.source, edge.target) for edge in layout.edges) == [
        ("s1", "s2"),
        ("s1", "s3"),
        ("s2", "s4"),
        ("s3", "s4"),
    ]
    assert all(edge.x2 > edge.x1 for edge in layout.edges)  # every arrow points right
    assert layout.width == 20 + 3 * NODE_WIDTH + 2 * COLUMN_GAP
    assert layout.height >= 20 + 2 * NODE_HEIGHT
    assert layout.edges[0].path.startswith("M")


def test_an_empty_graph_has_no_size_and_a_long_label_is_cut() -> None:
    assert layout_dag([], {}).nodes == []
    (node,) = layout_dag([("s1", "word " * 40, [])], {}).nodes
    assert len(node.label) <= 28 and node.label.endswith("…")


def events(*items: tuple[str, dict[str, Any]]) -> list[Event]:
    now = datetime.now(UTC)
    return [
        Event(type=kind, task_id="t", run_id="r", seq=seq, time=now, payload=payload)
        for seq, (kind, payload) in enumerate(items, start=1)
    ]


def test_events_fold_into_subtasks_steps_reviews_and_the_answer() -> None:
    stream = events(
        (
            "task.decomposed",
            {
                "subtasks": [
                    {"subtask_id": "s1", "description": "Calculate", "dependencies": []},
                    {"subtask_id": "s2", "description": "Read", "dependencies": ["s1"]},
                ]
            },
        ),
        ("subtask.started", {"subtask_id": "s1"}),
        (
            "plan.created",
            {
                "subtask_id": "s1",
                "iteration": 1,
                "steps": [{"step_id": "calc", "action": "calculate", "inputs": {"e": "6*7"}}],
            },
        ),
        ("node.started", {"node_id": "calc", "scope": "subtask/s1/iter/1"}),
        ("approval.requested", {"approval_id": "a", "subject": "step calc"}),
    )
    progress = TaskProgress.from_events("running", stream)
    assert progress.waiting_for == "step calc"
    assert [s.status for s in progress.subtasks.values()] == ["running", "pending"]
    assert progress.steps[("s1", 1, "calc")].status == "running"
    assert not progress.finished

    more = events(
        ("approval.decided", {"approval_id": "a", "status": "approved"}),
        (
            "execution.finished",
            {
                "subtask_id": "s1",
                "iteration": 1,
                "steps": [{"step_id": "calc", "status": "succeeded", "duration_seconds": 0.004}],
            },
        ),
        (
            "review.decided",
            {"subtask_id": "s1", "iteration": 1, "decision": "APPROVE", "scores": {"quality": 1}},
        ),
        ("subtask.completed", {"subtask_id": "s1"}),
    )
    for event in more:
        progress.apply(event)
    assert progress.waiting_for == ""
    assert progress.subtasks["s1"].status == "completed"
    step = progress.steps[("s1", 1, "calc")]
    assert (step.status, step.note) == ("succeeded", "4 ms")
    assert [(r.decision, r.scores) for r in progress.reviews] == [("APPROVE", {"quality": 1.0})]

    progress.apply(events(("task.dead_lettered", {"answer": "", "dead_letter_id": "d1"}))[0])
    assert progress.finished and progress.status == "dead_lettered"
    assert progress.dead_letter_id == "d1"


def test_a_graph_of_24_subtasks_wraps_its_tall_column_and_keeps_every_arrow_pointing_right() -> (
    None
):
    # s1 fans out to 22 parallel subtasks, which s24 joins: one column of 22 boxes unwrapped.
    middle = [
        (f"s{n}", f"Summarize chapter {n} of the very long report", ["s1"]) for n in range(2, 24)
    ]
    subtasks = [
        ("s1", "Read the report", []),
        *middle,
        ("s24", "Write it up", [m[0] for m in middle]),
    ]
    layout = layout_dag(subtasks, {})
    assert len(layout.nodes) == 24
    assert layout.height <= 20 + MAX_ROWS * (NODE_HEIGHT + 20)  # no column taller than MAX_ROWS
    rows = {(node.x, node.y) for node in layout.nodes}
    assert len(rows) == 24  # no two boxes on top of each other
    xs = sorted({node.x for node in layout.nodes})
    assert len(xs) == 1 + 4 + 1  # 22 boxes of depth 1 wrap into 4 columns
    assert all(edge.x2 > edge.x1 for edge in layout.edges)
    assert len(layout.edges) == 44
    assert all(len(node.label) <= 28 for node in layout.nodes)
    assert any(node.label.endswith("…") for node in layout.nodes)


def test_an_arrow_that_skips_columns_runs_along_a_row_gap_not_through_boxes() -> None:
    middle = [(f"s{n}", f"chapter {n}", ["s1"]) for n in range(2, 16)]
    layout = layout_dag([("s1", "read", []), *middle], {})
    boxes = [(n.x, n.y, n.x + NODE_WIDTH, n.y + NODE_HEIGHT) for n in layout.nodes]
    for edge in layout.edges:
        if edge.lane_y is None:  # a neighbouring column: the S-curve stays in the gap
            assert edge.x2 - edge.x1 == COLUMN_GAP
            continue
        # the lane lies between rows: inside no box
        assert not any(top < edge.lane_y < bottom for _, top, _, bottom in boxes)
        assert edge.path.startswith(f"M{edge.x1},{edge.y1} H")
        assert edge.path.endswith(f"V{edge.y2} H{edge.x2}")
    assert sum(edge.lane_y is not None for edge in layout.edges) == 14 - MAX_ROWS
