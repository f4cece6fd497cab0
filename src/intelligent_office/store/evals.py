"""Eval runs and their cases, so `office eval compare` can say what got better or worse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from intelligent_office.errors import UserError
from intelligent_office.store.tables import EvalCaseRow, EvalRunRow

__all__ = ["EvalCaseRecord", "EvalRunRecord", "EvalRunRepository"]


@dataclass(frozen=True, slots=True)
class EvalCaseRecord:
    """One stored case of an eval run."""

    case_id: str
    capability: str
    passed: bool
    task_id: str | None
    status: str
    seconds: float
    iterations: int
    tokens: int
    cost_usd: float
    brain: str
    checks: dict[str, Any]


@dataclass(frozen=True, slots=True)
class EvalRunRecord:
    """One stored eval run; `cases` is empty unless asked for."""

    id: str
    suite: str
    suite_path: str
    brain: str
    cases_total: int
    cases_passed: int
    seconds: float
    summary: dict[str, Any]
    started_at: datetime
    cases: tuple[EvalCaseRecord, ...] = ()

    @property
    def pass_rate(self) -> float:
        """Passed cases over all cases (0 for an empty run)."""
        return self.cases_passed / self.cases_total if self.cases_total else 0.0


def _run(row: Any, cases: tuple[EvalCaseRecord, ...] = ()) -> EvalRunRecord:
    return EvalRunRecord(
        id=row.id,
        suite=row.suite,
        suite_path=row.suite_path,
        brain=row.brain,
        cases_total=row.cases_total,
        cases_passed=row.cases_passed,
        seconds=row.seconds,
        summary=row.summary,
        started_at=row.started_at,
        cases=cases,
    )


def _case(row: Any) -> EvalCaseRecord:
    return EvalCaseRecord(
        case_id=row.case_id,
        capability=row.capability,
        passed=row.passed,
        task_id=row.task_id,
        status=row.status,
        seconds=row.seconds,
        iterations=row.iterations,
        tokens=row.tokens,
        cost_usd=row.cost_usd,
        brain=row.brain,
        checks=row.checks,
    )


class EvalRunRepository:
    """Store eval runs with their cases; list them; load one whole."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, run: EvalRunRecord) -> None:
        """Store a finished run and its cases in one transaction."""
        values = {
            "id": run.id,
            "suite": run.suite,
            "suite_path": run.suite_path,
            "brain": run.brain,
            "cases_total": run.cases_total,
            "cases_passed": run.cases_passed,
            "seconds": run.seconds,
            "summary": run.summary,
            "started_at": run.started_at,
        }
        with self._engine.begin() as connection:
            connection.execute(insert(EvalRunRow).values(**values))
            if run.cases:
                connection.execute(
                    insert(EvalCaseRow),
                    [
                        {
                            "run_id": run.id,
                            "case_id": case.case_id,
                            "capability": case.capability,
                            "passed": case.passed,
                            "task_id": case.task_id,
                            "status": case.status,
                            "seconds": case.seconds,
                            "iterations": case.iterations,
                            "tokens": case.tokens,
                            "cost_usd": case.cost_usd,
                            "brain": case.brain,
                            "checks": case.checks,
                        }
                        for case in run.cases
                    ],
                )

    def recent(self, *, suite: str | None = None, limit: int = 30) -> list[EvalRunRecord]:
        """Runs, newest first, without their cases."""
        query = select(EvalRunRow).order_by(EvalRunRow.started_at.desc()).limit(limit)
        if suite is not None:
            query = query.where(EvalRunRow.suite == suite)
        with self._engine.connect() as connection:
            return [_run(row) for row in connection.execute(query)]

    def require(self, run_id: str) -> EvalRunRecord:
        """The run with its cases; a unique prefix of its id will do.

        Raises:
            UserError: no run has that id (or the prefix is ambiguous).
        """
        query = select(EvalRunRow).where(EvalRunRow.id.startswith(run_id, autoescape=True))
        with self._engine.connect() as connection:
            rows = connection.execute(query.limit(2)).all()
            if len(rows) != 1:
                what = "no eval run" if not rows else "more than one eval run"
                raise UserError(f"{what} has id {run_id!r}: `office eval runs` lists them")
            cases = connection.execute(
                select(EvalCaseRow)
                .where(EvalCaseRow.run_id == rows[0].id)
                .order_by(EvalCaseRow.case_id)
            )
            return _run(rows[0], tuple(_case(row) for row in cases))
