"""`office stats`: how the Office has been doing, computed from the store.

Success rate over finished tasks, p50/p95 task duration (submission to last update),
cost per task from the LLM ledger, and the tools whose steps failed most (from the
`execution.finished` events, which list every step's tool and status).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import Connection, func, select

from intelligent_office.store import Store
from intelligent_office.store.tables import EventRow, LLMCallRow, TaskRow

__all__ = [
    "FINISHED_STATUSES",
    "OUTCOMES",
    "OfficeStats",
    "ToolFailures",
    "office_stats",
    "percentile",
]

FINISHED_STATUSES = ("completed", "unsupported", "dead_lettered", "failed", "cancelled")
OUTCOMES = {
    "completed": "succeeded",
    "unsupported": "unsupported",
    "failed": "failed",
    "dead_lettered": "dead_lettered",
    "cancelled": "cancelled",
}
"""How each final task status is counted: only a completed task is a success; a task the
Office could not do (unsupported, with a tool-gap report) is counted apart, not as one."""
_FAILED_STEP = {"failed", "timed_out"}


class ToolFailures(BaseModel):
    """A tool and how often its steps failed."""

    tool: str
    failures: int
    calls: int


class OfficeStats(BaseModel):
    """The Office's record over the tasks in the store (optionally since a time)."""

    tasks: int = Field(description="Tasks stored, in any status.")
    finished: int = Field(description="Tasks that reached a final status.")
    by_status: dict[str, int]
    outcomes: dict[str, int] = Field(
        default_factory=dict,
        description="Finished tasks counted apart: succeeded, unsupported, failed,"
        " dead_lettered, cancelled (every key, 0 included).",
    )
    success_rate: float | None = Field(
        description="succeeded / finished (unsupported tasks are not successes);"
        " None: none finished."
    )
    duration_p50_seconds: float | None
    duration_p95_seconds: float | None
    cost_usd: float = Field(description="LLM spend on the tasks counted.")
    cost_per_task_usd: float | None = Field(description="cost_usd / finished.")
    top_failing_tools: list[ToolFailures]


def percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile (fraction in 0..1) of `values`; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(fraction * 1000) * len(ordered) // 1000))  # ceil without floats
    return ordered[min(rank, len(ordered)) - 1]


def office_stats(store: Store, *, since: datetime | None = None, top: int = 5) -> OfficeStats:
    """Stats over the stored tasks created at or after `since` (all when None)."""
    query = select(TaskRow.task_id, TaskRow.status, TaskRow.created_at, TaskRow.updated_at)
    if since is not None:
        query = query.where(TaskRow.created_at >= since)
    with store.engine.connect() as db:
        rows = db.execute(query).all()
        finished_ids = [row.task_id for row in rows if row.status in FINISHED_STATUSES]
        cost = _cost(db, finished_ids)
        tools = _tool_failures(db, [row.task_id for row in rows])
    by_status = Counter(str(row.status) for row in rows)
    finished = [row for row in rows if row.status in FINISHED_STATUSES]
    durations = [(row.updated_at - row.created_at).total_seconds() for row in finished]
    outcomes = {outcome: by_status.get(status, 0) for status, outcome in OUTCOMES.items()}
    return OfficeStats(
        tasks=len(rows),
        finished=len(finished),
        by_status=dict(sorted(by_status.items())),
        outcomes=outcomes,
        success_rate=outcomes["succeeded"] / len(finished) if finished else None,
        duration_p50_seconds=percentile(durations, 0.5),
        duration_p95_seconds=percentile(durations, 0.95),
        cost_usd=cost,
        cost_per_task_usd=cost / len(finished) if finished else None,
        top_failing_tools=tools[:top],
    )


def _cost(db: Connection, task_ids: list[str]) -> float:
    total = 0.0
    for chunk in _chunks(task_ids):
        total += float(
            db.execute(
                select(func.coalesce(func.sum(LLMCallRow.cost_usd), 0.0)).where(
                    LLMCallRow.task_id.in_(chunk)
                )
            ).scalar_one()
        )
    return total


def _tool_failures(db: Connection, task_ids: list[str]) -> list[ToolFailures]:
    calls: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    for chunk in _chunks(task_ids):
        payloads = db.execute(
            select(EventRow.payload).where(
                EventRow.type == "execution.finished", EventRow.task_id.in_(chunk)
            )
        ).scalars()
        for payload in payloads:
            for step in (payload or {}).get("steps") or []:
                if not isinstance(step, dict) or not isinstance(step.get("tool"), str):
                    continue
                calls[step["tool"]] += 1
                if step.get("status") in _FAILED_STEP:
                    failures[step["tool"]] += 1
    ranked = sorted(failures.items(), key=lambda item: (-item[1], item[0]))
    return [ToolFailures(tool=tool, failures=n, calls=calls[tool]) for tool, n in ranked]


def _chunks(ids: list[str], size: int = 500) -> list[list[str]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]
