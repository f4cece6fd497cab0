"""Stats over time and by tool, on a real store: unsupported tasks are counted apart."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from intelligent_office.observability.stats_history import (
    NO_TOOL,
    outcome_of,
    stats_history,
    success_rate,
)
from intelligent_office.store import Store
from intelligent_office.store.tables import TaskRow
from tests.records import llm_call


def add_task(
    store: Store,
    status: str,
    *,
    days_ago: int = 0,
    seconds: float = 2.0,
    user: str = "alice",
    steps: list[dict[str, object]] | None = None,
    cost: float = 0.0,
) -> str:
    """A finished task as the Office stores it: its row, its steps' event and its model cost."""
    task_id = uuid.uuid4().hex
    store.tasks.create(task_id=task_id, user_id=user, description=f"a {status} task", body={})
    store.tasks.set_status(task_id, status)
    if steps:
        store.events.append(
            task_id=task_id,
            run_id=None,
            type="execution.finished",
            payload={"subtask_id": "s1", "steps": steps},
            dedup_key="exec/1",
        )
    if cost:
        store.llm_calls.add(
            llm_call(task_id=task_id, provider="main", cost_usd=cost, duration_seconds=0.3)
        )
    start = (datetime.now(UTC) - timedelta(days=days_ago)).replace(hour=10, minute=0)
    with store.engine.begin() as db:
        db.execute(
            update(TaskRow)
            .where(TaskRow.task_id == task_id)
            .values(created_at=start, updated_at=start + timedelta(seconds=seconds))
        )
    return task_id


def test_the_success_rate_leaves_unsupported_and_cancelled_tasks_out() -> None:
    assert [outcome_of(s) for s in ("completed", "dead_lettered", "failed", "running")] == [
        "completed",
        "failed",
        "failed",
        None,
    ]
    assert success_rate({"completed": 3, "failed": 1, "unsupported": 4, "cancelled": 2}) == 0.75
    assert success_rate({"unsupported": 2}) is None


def test_tasks_are_grouped_by_day_with_outcomes_durations_and_costs(store: Store) -> None:
    add_task(store, "completed", days_ago=2, seconds=4, cost=0.25)
    add_task(store, "completed", days_ago=2, seconds=8)
    add_task(store, "dead_lettered", days_ago=2, seconds=30)
    add_task(store, "unsupported", days_ago=0, seconds=1)
    add_task(store, "completed", days_ago=0, seconds=2, cost=0.5)
    add_task(store, "cancelled", days_ago=0)
    add_task(store, "completed", days_ago=0, user="bob")
    store.tasks.create(task_id="waiting", user_id="alice", description="later", body={})

    history = stats_history(store, user_id="alice")
    assert history.period == "day"
    assert history.tasks == 7
    assert history.outcomes == {"completed": 3, "unsupported": 1, "failed": 1, "cancelled": 1}
    assert history.success_rate == 3 / 4  # the unsupported task is neither
    assert history.cost_usd == 0.75
    old, today = history.periods
    assert old.outcomes == {"completed": 2, "unsupported": 0, "failed": 1, "cancelled": 0}
    assert old.success_rate == 2 / 3
    assert old.duration_p50_seconds == 8
    assert old.cost_usd == 0.25
    assert today.outcomes == {"completed": 1, "unsupported": 1, "failed": 0, "cancelled": 1}
    assert today.unfinished == 1
    assert today.success_rate == 1.0
    assert old.start < today.start and old.label != today.label

    assert stats_history(store).tasks == 8  # every user's
    recent = stats_history(store, since=datetime.now(UTC) - timedelta(days=1), user_id="alice")
    assert recent.period == "hour"  # one day only: by the hour
    assert recent.outcomes["failed"] == 0


def test_tools_are_ranked_by_use_with_success_duration_and_shared_cost(store: Store) -> None:
    add_task(
        store,
        "completed",
        steps=[
            {"step_id": "a", "status": "completed", "tool": "read_file", "duration_seconds": 0.02},
            {"step_id": "b", "status": "completed", "tool": "calculate", "duration_seconds": 0.01},
        ],
        cost=0.4,
    )
    add_task(
        store,
        "dead_lettered",
        steps=[
            {"step_id": "a", "status": "failed", "tool": "read_file", "error": "missing"},
            {"step_id": "b", "status": "timed_out", "tool": "read_file"},
        ],
    )
    add_task(store, "unsupported", cost=0.1)  # no step: its cost has no tool

    tools = {tool.tool: tool for tool in stats_history(store).tools}
    assert list(tools) == ["read_file", "calculate", NO_TOOL]
    assert (tools["read_file"].calls, tools["read_file"].failures) == (3, 2)
    assert tools["read_file"].success_rate == 1 / 3
    assert tools["read_file"].duration_p50_seconds == 0.02
    assert tools["read_file"].cost_usd == 0.2  # 0.4 shared by the two tools of s1
    assert tools["calculate"].cost_usd == 0.2
    assert tools[NO_TOOL].calls == 0 and tools[NO_TOOL].cost_usd == 0.1


def test_an_empty_store_has_no_periods_and_no_rate(store: Store) -> None:
    history = stats_history(store)
    assert (history.tasks, history.periods, history.tools, history.success_rate) == (
        0,
        [],
        [],
        None,
    )
