"""Runs: the queue, leases with heartbeats, and outcomes.

A run is claimed by one worker at a time: claiming sets `lease_owner` and a lease
expiry with a conditional UPDATE, so two processes sharing one database never both
win. The holder renews the lease while it runs; a crashed worker's lease expires and
another worker (or the same one restarted) claims the run and resumes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Row, and_, bindparam, insert, or_, select, update

from intelligent_office.errors import UserError
from intelligent_office.store.records import JournalEntry, RunRecord, RunStatus
from intelligent_office.store.schema import journal_table, runs_table, tasks_table

__all__ = ["RunRepository"]

UNFINISHED = (RunStatus.QUEUED.value, RunStatus.RUNNING.value)

# Core statements on the run's columns, built once: every run reads and writes its row a
# few times, and an ORM session per call costs more than the query.
_GET = select(runs_table).where(runs_table.c.run_id == bindparam("b_run_id"))
_INSERT = insert(runs_table)
_CLAIM = (
    update(runs_table)
    .where(
        runs_table.c.run_id == bindparam("b_run_id"),
        runs_table.c.status.in_(UNFINISHED),
        or_(runs_table.c.lease_owner.is_(None), runs_table.c.lease_expires_at < bindparam("b_now")),
    )
    .values(
        lease_owner=bindparam("b_owner"),
        lease_expires_at=bindparam("b_expires"),
        status=RunStatus.RUNNING.value,
        starts=runs_table.c.starts + 1,
        started_at=bindparam("b_now"),
    )
)


def _record(row: Row[Any]) -> RunRecord:
    return RunRecord(
        run_id=row.run_id,
        task_id=row.task_id,
        workflow=row.workflow,
        input=row.input,
        status=RunStatus(row.status),
        priority=row.priority,
        result=row.result,
        error=row.error,
        lease_owner=row.lease_owner,
        lease_expires_at=row.lease_expires_at,
        starts=row.starts,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        cancel_requested=bool(row.cancel_requested),
    )


class RunRepository:
    """Stored runs and their leases."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def create(
        self,
        *,
        run_id: str,
        task_id: str,
        workflow: str,
        input: dict[str, Any],
        priority: int = 5,
        journal: Sequence[JournalEntry] = (),
    ) -> RunRecord:
        """Queue a new run, with `journal` already recorded (a fork's copied steps).

        The run and its journal are written in one transaction, so no worker can claim
        a forked run before the steps it replays are there.
        """
        record = RunRecord(
            run_id=run_id,
            task_id=task_id,
            workflow=workflow,
            input=input,
            status=RunStatus.QUEUED,
            priority=priority,
            result=None,
            error=None,
            lease_owner=None,
            lease_expires_at=None,
            starts=0,
            created_at=datetime.now(UTC),
            started_at=None,
            finished_at=None,
        )
        with self._engine.begin() as connection:
            connection.execute(
                _INSERT,
                {
                    "run_id": run_id,
                    "task_id": task_id,
                    "workflow": workflow,
                    "input": input,
                    "status": record.status.value,
                    "priority": priority,
                    "starts": 0,
                    "cancel_requested": False,
                    "created_at": record.created_at,
                },
            )
            if journal:
                connection.execute(
                    insert(journal_table),
                    [_journal_row(run_id, entry, record.created_at) for entry in journal],
                )
        return record

    def get(self, run_id: str) -> RunRecord | None:
        """The run with this id, if any."""
        with self._engine.connect() as connection:
            row = connection.execute(_GET, {"b_run_id": run_id}).first()
        return _record(row) if row else None

    def require(self, run_id: str) -> RunRecord:
        """The run with this id; a clear UserError when there is none."""
        record = self.get(run_id)
        if record is None:
            raise UserError(f"no run {run_id!r}: `office runs` lists the runs")
        return record

    def recent(
        self,
        *,
        status: RunStatus | None = None,
        task_id: str | None = None,
        user_id: str | None = None,
        workflow: str | None = None,
        limit: int = 50,
    ) -> list[RunRecord]:
        """Newest runs first; with `user_id`, only runs of that user's tasks."""
        query = select(runs_table).order_by(runs_table.c.created_at.desc()).limit(limit)
        if user_id is not None:
            query = query.join(tasks_table, tasks_table.c.task_id == runs_table.c.task_id).where(
                tasks_table.c.user_id == user_id
            )
        if workflow is not None:
            query = query.where(runs_table.c.workflow == workflow)
        if status is not None:
            query = query.where(runs_table.c.status == status.value)
        if task_id is not None:
            query = query.where(runs_table.c.task_id == task_id)
        with self._engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]

    def latest_of_tasks(self, task_ids: Sequence[str]) -> dict[str, RunRecord]:
        """Each of these tasks' newest run (a task with none is left out)."""
        if not task_ids:
            return {}
        query = (
            select(runs_table)
            .where(runs_table.c.task_id.in_(task_ids))
            .order_by(runs_table.c.created_at)
        )
        with self._engine.connect() as connection:
            return {row.task_id: _record(row) for row in connection.execute(query)}

    def claimable(self, *, limit: int, now: datetime | None = None) -> list[str]:
        """Ids of runs a worker may claim: queued, or running under an expired lease.

        Highest priority first, then oldest first.
        """
        now = now or datetime.now(UTC)
        query = (
            select(runs_table.c.run_id)
            .where(
                runs_table.c.status.in_(UNFINISHED),
                or_(runs_table.c.lease_owner.is_(None), runs_table.c.lease_expires_at < now),
            )
            .order_by(runs_table.c.priority.desc(), runs_table.c.created_at)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return list(connection.scalars(query))

    def claim(self, run_id: str, owner: str, lease_seconds: float) -> bool:
        """Take the run's lease if it is free or expired; exactly one claimant wins."""
        now = datetime.now(UTC)
        values = {
            "b_run_id": run_id,
            "b_owner": owner,
            "b_now": now,
            "b_expires": now + timedelta(seconds=lease_seconds),
        }
        with self._engine.begin() as connection:
            return connection.execute(_CLAIM, values).rowcount == 1

    def renew(self, run_id: str, owner: str, lease_seconds: float) -> bool:
        """Extend the lease; False means another worker holds it now."""
        now = datetime.now(UTC)
        statement = (
            update(runs_table)
            .where(and_(runs_table.c.run_id == run_id, runs_table.c.lease_owner == owner))
            .values(lease_expires_at=now + timedelta(seconds=lease_seconds))
        )
        with self._engine.begin() as connection:
            return connection.execute(statement).rowcount == 1

    def release(self, run_id: str, owner: str) -> None:
        """Give the lease back without finishing (graceful shutdown)."""
        with self._engine.begin() as connection:
            connection.execute(
                update(runs_table)
                .where(runs_table.c.run_id == run_id, runs_table.c.lease_owner == owner)
                .values(lease_owner=None, lease_expires_at=None)
            )

    def finish(
        self,
        run_id: str,
        owner: str | None,
        status: RunStatus,
        *,
        result: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> bool:
        """Record the run's outcome; with an owner, only while it still holds the lease."""
        conditions = [runs_table.c.run_id == run_id]
        if owner is not None:
            conditions.append(runs_table.c.lease_owner == owner)
        statement = (
            update(runs_table)
            .where(*conditions)
            .values(
                status=status.value,
                result=result,
                error=error,
                lease_owner=None,
                lease_expires_at=None,
                finished_at=datetime.now(UTC),
            )
        )
        with self._engine.begin() as connection:
            return connection.execute(statement).rowcount == 1

    def requeue(self, run_id: str) -> bool:
        """Put a finished or stuck run back in the queue (its journal is kept)."""
        with self._engine.begin() as connection:
            statement = (
                update(runs_table)
                .where(runs_table.c.run_id == run_id)
                .values(
                    status=RunStatus.QUEUED.value,
                    lease_owner=None,
                    lease_expires_at=None,
                    finished_at=None,
                    error=None,
                )
            )
            return connection.execute(statement).rowcount == 1

    def request_cancel(self, run_id: str) -> bool:
        """Flag an unfinished run for cancellation; False when it has already finished."""
        statement = (
            update(runs_table)
            .where(runs_table.c.run_id == run_id, runs_table.c.status.in_(UNFINISHED))
            .values(cancel_requested=True)
        )
        with self._engine.begin() as connection:
            return connection.execute(statement).rowcount == 1

    def cancel_unclaimed(self, run_id: str) -> bool:
        """Finish a queued run no worker holds as cancelled; False if a worker has it now.

        Guarded like `claim`, so a run is either claimed or cancelled here, never both.
        """
        now = datetime.now(UTC)
        statement = (
            update(runs_table)
            .where(
                runs_table.c.run_id == run_id,
                runs_table.c.status == RunStatus.QUEUED.value,
                or_(runs_table.c.lease_owner.is_(None), runs_table.c.lease_expires_at < now),
            )
            .values(
                status=RunStatus.CANCELLED.value,
                cancel_requested=True,
                lease_owner=None,
                lease_expires_at=None,
                error="cancelled before it started",
                finished_at=now,
            )
        )
        with self._engine.begin() as connection:
            return connection.execute(statement).rowcount == 1

    def cancel_requested(self, run_ids: list[str]) -> set[str]:
        """Which of these runs someone asked to cancel."""
        if not run_ids:
            return set()
        query = select(runs_table.c.run_id).where(
            runs_table.c.run_id.in_(run_ids), runs_table.c.cancel_requested.is_(True)
        )
        with self._engine.connect() as connection:
            return set(connection.scalars(query))


def _journal_row(run_id: str, entry: JournalEntry, default_time: datetime) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "key": entry.key,
        "activity": entry.activity,
        "ok": entry.ok,
        "output": entry.output,
        "error_type": entry.error_type,
        "error": entry.error,
        "retryable": entry.retryable,
        # A copied step keeps its time, so a fork of a fork cuts in the same order.
        "recorded_at": entry.recorded_at or default_time,
        "input": entry.input,
        "started_at": entry.started_at,
    }
