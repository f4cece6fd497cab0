"""The LLM call ledger: every call with its tokens and cost, summed per task, agent or model."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import Engine, Label, Row, SQLColumnExpression, String, case, func, select

from intelligent_office.store.on_conflict import IgnoringInserts
from intelligent_office.store.records import CostGrouping, CostRow, LLMCallRecord, Spend
from intelligent_office.store.schema import llm_calls_table

__all__ = ["CostGrouping", "LLMCallRepository"]


_INSERT_IGNORE = IgnoringInserts(llm_calls_table)
_calls = llm_calls_table.c


def _record(row: Row[Any]) -> LLMCallRecord:
    return LLMCallRecord(
        call_id=row.call_id,
        task_id=row.task_id,
        run_id=row.run_id,
        subtask_id=row.subtask_id,
        agent=row.agent,
        tier=row.tier,
        provider=row.provider,
        model=row.model,
        prompt_id=row.prompt_id,
        prompt_version=row.prompt_version,
        input_tokens=row.input_tokens,
        output_tokens=row.output_tokens,
        cost_usd=row.cost_usd,
        cache_hit=row.cache_hit,
        ok=row.ok,
        error=row.error,
        duration_seconds=row.duration_seconds,
        created_at=row.created_at,
    )


class LLMCallRepository:
    """Recorded LLM calls (Core tables: `office run` sums a task's spend at its end, and a
    run never needs SQLAlchemy's ORM)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, record: LLMCallRecord) -> None:
        """Record a call; a call_id already recorded (a replayed activity) is kept as it was."""
        with self._engine.begin() as connection:
            connection.execute(_INSERT_IGNORE[connection.dialect.name], asdict(record))

    def spent(self, task_id: str, agent: str | None = None) -> Spend:
        """What every recorded call of a task (or of one of its agents) cost."""
        query = select(
            func.coalesce(func.sum(_calls.cost_usd), 0.0),
            func.coalesce(func.sum(_calls.input_tokens + _calls.output_tokens), 0),
            func.count(),
        ).where(_calls.task_id == task_id)
        if agent is not None:
            query = query.where(_calls.agent == agent)
        with self._engine.connect() as connection:
            cost, tokens, calls = connection.execute(query).one()
        return Spend(cost_usd=float(cost), tokens=int(tokens), calls=int(calls))

    def summary(self, by: CostGrouping, task_id: str | None = None) -> list[CostRow]:
        """Calls summed per model, tier, UTC day, agent or task; costliest first."""
        key: Label[str] = self._group_key(by).label("key")
        cost = func.sum(_calls.cost_usd)
        query = (
            select(
                key,
                func.count(),
                func.sum(case((_calls.cache_hit, 1), else_=0)),
                func.sum(_calls.input_tokens),
                func.sum(_calls.output_tokens),
                cost,
            )
            .group_by(key)
            .order_by(cost.desc(), key)
        )
        if task_id is not None:
            query = query.where(_calls.task_id == task_id)
        with self._engine.connect() as connection:
            sums = connection.execute(query).all()
        return [
            CostRow(
                key=str(name),
                calls=int(calls),
                cache_hits=int(hits),
                input_tokens=int(input_tokens),
                output_tokens=int(output_tokens),
                cost_usd=float(cost_usd),
            )
            for name, calls, hits, input_tokens, output_tokens, cost_usd in sums
        ]

    def for_task(self, task_id: str) -> list[LLMCallRecord]:
        """Every recorded call of a task, oldest first."""
        query = (
            select(llm_calls_table)
            .where(_calls.task_id == task_id)
            .order_by(_calls.created_at, _calls.call_id)
        )
        with self._engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]

    def _group_key(self, by: CostGrouping) -> SQLColumnExpression[str]:
        if by == "day":
            if self._engine.dialect.name == "postgresql":
                utc = func.timezone("UTC", _calls.created_at)
                return func.to_char(utc, "YYYY-MM-DD", type_=String)
            # SQLite keeps timestamps as UTC text ("2026-01-31 23:59:59.000000").
            return func.date(_calls.created_at, type_=String)
        if by == "task":
            return func.coalesce(_calls.task_id, "(no task)")
        columns = {"model": _calls.model, "tier": _calls.tier, "agent": _calls.agent}
        return columns[by]
