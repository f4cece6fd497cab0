"""How the Office has done over time and by tool: the figures behind the stats charts.

Tasks are grouped by the day (UTC) they were submitted, or by the hour when they all
fall on one day. An unsupported task is counted apart: it is neither a success nor a
failure of the Office, which said plainly that it had no tool for it; a cancelled task
is a person's choice and counted apart too. The success rate is therefore

    completed / (completed + dead_lettered + failed)

By tool, every step of every `execution.finished` event counts: its success rate, its
median duration, and the model cost of the subtasks that used it (a subtask's LLM
calls shared evenly among the distinct tools its steps called; calls of a subtask that
called no tool, and calls outside any subtask, go to `(no tool)`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Connection, select

from intelligent_office.observability.stats import percentile
from intelligent_office.store import Store
from intelligent_office.store.tables import EventRow, LLMCallRow, TaskRow

__all__ = [
    "NO_TOOL",
    "OUTCOMES",
    "PeriodStats",
    "StatsHistory",
    "ToolStats",
    "outcome_of",
    "stats_history",
    "success_rate",
]

NO_TOOL = "(no tool)"
OUTCOMES = ("completed", "unsupported", "failed", "cancelled")
"""How a finished task is counted: dead_lettered is counted as failed."""
_OUTCOME = {
    "completed": "completed",
    "unsupported": "unsupported",
    "dead_lettered": "failed",
    "failed": "failed",
    "cancelled": "cancelled",
}
_FAILED_STEP = {"failed", "timed_out"}
_CHUNK = 500


def outcome_of(status: str) -> str | None:
    """The outcome a task status counts as; None while it is not finished."""
    return _OUTCOME.get(status)


def success_rate(counts: dict[str, int]) -> float | None:
    """completed / (completed + failed), unsupported and cancelled apart; None if neither."""
    judged = counts.get("completed", 0) + counts.get("failed", 0)
    return counts.get("completed", 0) / judged if judged else None


class PeriodStats(BaseModel):
    """The tasks submitted in one day (or hour)."""

    start: datetime = Field(description="The start of the period, UTC.")
    label: str = Field(description="The period as a chart labels it, e.g. 12-03 or 14:00.")
    outcomes: dict[str, int] = Field(description="Finished tasks by outcome (see OUTCOMES).")
    unfinished: int = Field(description="Tasks still queued or running.")
    success_rate: float | None
    duration_p50_seconds: float | None
    duration_p95_seconds: float | None
    cost_usd: float


class ToolStats(BaseModel):
    """One tool's steps across the tasks counted."""

    tool: str
    calls: int
    failures: int
    success_rate: float | None
    duration_p50_seconds: float | None
    cost_usd: float = Field(description="Model cost of the subtasks that used it, shared evenly.")


class StatsHistory(BaseModel):
    """The stats over time (`periods`, oldest first) and by tool (most called first)."""

    period: str = Field(description="day or hour")
    tasks: int = Field(description="Tasks submitted, in any status.")
    outcomes: dict[str, int] = Field(description="Finished tasks by outcome, over all periods.")
    success_rate: float | None
    duration_p50_seconds: float | None
    duration_p95_seconds: float | None
    cost_usd: float
    cost_per_task_usd: float | None = Field(description="cost_usd / finished tasks.")
    periods: list[PeriodStats]
    tools: list[ToolStats]


def stats_history(
    store: Store, *, since: datetime | None = None, user_id: str | None = None
) -> StatsHistory:
    """The stats of the tasks submitted at or after `since` (all when None), of one user's
    tasks when `user_id` is given."""
    query = select(TaskRow.task_id, TaskRow.status, TaskRow.created_at, TaskRow.updated_at)
    if since is not None:
        query = query.where(TaskRow.created_at >= since)
    if user_id is not None:
        query = query.where(TaskRow.user_id == user_id)
    with store.engine.connect() as db:
        tasks = db.execute(query).all()
        ids = [row.task_id for row in tasks]
        costs = _costs(db, ids)
        steps = _steps(db, ids)
    created = {row.task_id: _utc(row.created_at) for row in tasks}
    by_hour = len({when.date() for when in created.values()}) <= 1
    groups: dict[datetime, list[Any]] = defaultdict(list)
    for row in tasks:
        groups[_period_start(created[row.task_id], by_hour)].append(row)
    task_cost: dict[str, float] = defaultdict(float)
    for (task_id, _), cost in costs.items():
        task_cost[task_id] += cost
    periods = [_period(start, groups[start], task_cost, by_hour) for start in sorted(groups)]
    total: Counter[str] = Counter()
    for period in periods:
        total.update(period.outcomes)
    finished = [row for row in tasks if outcome_of(str(row.status)) is not None]
    durations = [_seconds(row) for row in finished]
    cost = sum(task_cost.values())
    return StatsHistory(
        period="hour" if by_hour else "day",
        tasks=len(tasks),
        outcomes={name: total.get(name, 0) for name in OUTCOMES},
        success_rate=success_rate(dict(total)),
        duration_p50_seconds=percentile(durations, 0.5),
        duration_p95_seconds=percentile(durations, 0.95),
        cost_usd=cost,
        cost_per_task_usd=cost / len(finished) if finished else None,
        periods=periods,
        tools=_tools(steps, costs),
    )


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _seconds(row: Any) -> float:
    return (_utc(row.updated_at) - _utc(row.created_at)).total_seconds()


def _period_start(when: datetime, by_hour: bool) -> datetime:
    if by_hour:
        return when.replace(minute=0, second=0, microsecond=0)
    return when.replace(hour=0, minute=0, second=0, microsecond=0)


def _period(
    start: datetime, rows: list[Any], task_cost: dict[str, float], by_hour: bool
) -> PeriodStats:
    outcomes: Counter[str] = Counter()
    durations: list[float] = []
    for row in rows:
        outcome = outcome_of(str(row.status))
        if outcome is None:
            continue
        outcomes[outcome] += 1
        durations.append(_seconds(row))
    return PeriodStats(
        start=start,
        label=start.strftime("%H:00" if by_hour else "%m-%d"),
        outcomes={name: outcomes.get(name, 0) for name in OUTCOMES},
        unfinished=len(rows) - sum(outcomes.values()),
        success_rate=success_rate(dict(outcomes)),
        duration_p50_seconds=percentile(durations, 0.5),
        duration_p95_seconds=percentile(durations, 0.95),
        cost_usd=sum(task_cost.get(row.task_id, 0.0) for row in rows),
    )


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    return (ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK))


def _costs(db: Connection, task_ids: list[str]) -> dict[tuple[str, str | None], float]:
    """Model cost by (task, subtask)."""
    costs: dict[tuple[str, str | None], float] = defaultdict(float)
    for chunk in _chunks(task_ids):
        query = select(LLMCallRow.task_id, LLMCallRow.subtask_id, LLMCallRow.cost_usd).where(
            LLMCallRow.task_id.in_(chunk)
        )
        for task_id, subtask_id, cost in db.execute(query):
            costs[(str(task_id), subtask_id)] += float(cost)
    return costs


def _steps(db: Connection, task_ids: list[str]) -> list[tuple[str, str | None, dict[str, Any]]]:
    """Every executed step as (task, subtask, step summary)."""
    steps: list[tuple[str, str | None, dict[str, Any]]] = []
    for chunk in _chunks(task_ids):
        query = select(EventRow.task_id, EventRow.payload).where(
            EventRow.type == "execution.finished", EventRow.task_id.in_(chunk)
        )
        for task_id, payload in db.execute(query):
            subtask = (payload or {}).get("subtask_id")
            for step in (payload or {}).get("steps") or []:
                if isinstance(step, dict) and isinstance(step.get("tool"), str):
                    steps.append((str(task_id), str(subtask) if subtask else None, step))
    return steps


def _tools(
    steps: list[tuple[str, str | None, dict[str, Any]]],
    costs: dict[tuple[str, str | None], float],
) -> list[ToolStats]:
    calls: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    durations: dict[str, list[float]] = defaultdict(list)
    used: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    for task_id, subtask_id, step in steps:
        tool = str(step["tool"])
        calls[tool] += 1
        if step.get("status") in _FAILED_STEP:
            failures[tool] += 1
        if isinstance(step.get("duration_seconds"), int | float):
            durations[tool].append(float(step["duration_seconds"]))
        used[(task_id, subtask_id)].add(tool)
    cost: dict[str, float] = defaultdict(float)
    for key, amount in costs.items():
        tools = used.get(key) or {NO_TOOL}
        for tool in tools:
            cost[tool] += amount / len(tools)
    names = sorted(set(calls) | {tool for tool, amount in cost.items() if amount > 0})
    ranked = sorted(names, key=lambda tool: (-calls[tool], tool))
    return [
        ToolStats(
            tool=tool,
            calls=calls[tool],
            failures=failures[tool],
            success_rate=(calls[tool] - failures[tool]) / calls[tool] if calls[tool] else None,
            duration_p50_seconds=percentile(durations[tool], 0.5),
            cost_usd=cost.get(tool, 0.0),
        )
        for tool in ranked
    ]
