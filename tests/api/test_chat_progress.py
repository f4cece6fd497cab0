"""The lines a chat client reads for each kind of event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from intelligent_office.api.chat_progress import progress_line
from intelligent_office.models import Event


def line(kind: str, **payload: Any) -> str | None:
    return progress_line(
        Event(type=kind, task_id="t", run_id="r", seq=1, time=datetime.now(UTC), payload=payload)
    )


def test_each_stage_reads_as_one_line() -> None:
    assert line("task.decomposed", subtasks=[{}, {}]) == "decomposed into 2 subtasks"
    assert line("plan.validated", subtask_id="s1", iteration=1) == "s1: plan validated"
    assert (
        line("plan.rejected", subtask_id="s2", reasons=["unknown tool x", "path outside"])
        == "s2: plan rejected: unknown tool x; path outside"
    )
    assert (
        line("node.completed", node_id="trace", scope="subtask/s1/iter/1") == "s1: step trace ran"
    )
    assert (
        line("node.failed", node_id="read", scope="subtask/s1/iter/2", error="no such file")
        == "s1: step read failed: no such file"
    )
    assert line("review.decided", subtask_id="s1", decision="REVISE", feedback="too short") == (
        "s1: review REVISE: too short"
    )
    assert line("subtask.failed", subtask_id="s3", reason="3 iterations") == (
        "s3: failed: 3 iterations"
    )
    assert line("approval.requested", approval_id="a-1", subject="write_file x") == (
        "approval needed: write_file x (approve in the UI at /ui/approvals"
        " or with office approve a-1)"
    )
    assert line("budget.warning", budget="task", used=0.75) == (
        "budget warning: 75% of the task budget spent"
    )
    assert line("dead_letter.created", category="review", reason="FAIL") == (
        "dead-lettered (review): FAIL"
    )
    assert line("task.cancelled", reason="by alice") == "cancelled: by alice"


def test_bookkeeping_says_nothing_and_long_lines_are_cut() -> None:
    for kind in ("run.started", "llm.called", "task.started", "node.started", "mcp.tools"):
        assert line(kind, node_id="x", scope="subtask/s1/iter/1") is None
    assert line("node.completed", node_id="x", scope="workflow") is None  # not a plan's step
    long = line("subtask.started", subtask_id="s1", description="word " * 200)
    assert long is not None and len(long) == 240 and long.endswith("…")
