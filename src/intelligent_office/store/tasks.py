"""Tasks: create (idempotently), read, list, update status."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, Row, bindparam, exists, not_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from intelligent_office.run_kinds import RunKind
from intelligent_office.store.records import TaskRecord
from intelligent_office.store.tables import RunRow, TaskRow

__all__ = ["TaskRepository"]


# Core, not the ORM: `get` serves every API request and costs half as much this way.
_GET = select(TaskRow.__table__).where(TaskRow.__table__.c.task_id == bindparam("task_id"))
_SET_TRACE_ID = (
    update(TaskRow)
    .where(TaskRow.task_id == bindparam("b_task_id"), TaskRow.trace_id.is_(None))
    .values(trace_id=bindparam("b_trace_id"))
)


def _record(row: TaskRow | Row[Any]) -> TaskRecord:
    return TaskRecord(
        task_id=row.task_id,
        user_id=row.user_id,
        description=row.description,
        priority=row.priority,
        status=row.status,
        idempotency_key=row.idempotency_key,
        body=row.body,
        created_at=row.created_at,
        updated_at=row.updated_at,
        request_hash=row.request_hash,
        event_seq=row.event_seq or 0,
        trace_id=row.trace_id,
    )


class TaskRepository:
    """Stored tasks."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def create(
        self,
        *,
        task_id: str,
        user_id: str,
        description: str,
        priority: int = 5,
        body: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        status: str = "queued",
        request_hash: str | None = None,
    ) -> tuple[TaskRecord, bool]:
        """Store a task; with an idempotency key this user already used, return that task.

        The key belongs to `user_id`: another user's same key is another task.

        Returns:
            The task and whether it was created now.
        """
        if idempotency_key is not None:
            existing = self.by_idempotency_key(user_id, idempotency_key)
            if existing is not None:
                return existing, False
        now = datetime.now(UTC)
        row = TaskRow(
            task_id=task_id,
            user_id=user_id,
            description=description,
            priority=priority,
            status=status,
            idempotency_key=idempotency_key,
            request_hash=request_hash,
            body=body or {},
            event_seq=0,
            created_at=now,
            updated_at=now,
        )
        record = _record(row)
        try:
            with Session(self._engine) as session, session.begin():
                session.add(row)
        except IntegrityError:
            # Lost a race on the same idempotency key: the other insert's task is the one.
            if idempotency_key is not None:
                existing = self.by_idempotency_key(user_id, idempotency_key)
                if existing is not None:
                    return existing, False
            raise
        return record, True

    def get(self, task_id: str) -> TaskRecord | None:
        """The task with this id, if any."""
        with self._engine.connect() as connection:
            row = connection.execute(_GET, {"task_id": task_id}).one_or_none()
        return _record(row) if row is not None else None

    def by_idempotency_key(self, user_id: str, key: str) -> TaskRecord | None:
        """The task `user_id` submitted with this idempotency key, if any (never another's)."""
        query = select(TaskRow).where(TaskRow.user_id == user_id, TaskRow.idempotency_key == key)
        with Session(self._engine) as session:
            row = session.scalars(query).first()
            return _record(row) if row else None

    def recent(
        self, *, user_id: str | None = None, status: str | None = None, limit: int = 50
    ) -> list[TaskRecord]:
        """Newest tasks first, optionally one user's or in one status."""
        query = select(TaskRow).order_by(TaskRow.created_at.desc()).limit(limit)
        if user_id is not None:
            query = query.where(TaskRow.user_id == user_id)
        if status is not None:
            query = query.where(TaskRow.status == status)
        with Session(self._engine) as session:
            return [_record(row) for row in session.scalars(query)]

    def search(
        self,
        *,
        user_id: str | None = None,
        status: str | None = None,
        text: str | None = None,
        kind: RunKind | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[TaskRecord]:
        """Newest first, filtered by owner, status, words in the description and the kind
        of its runs (a task not run yet counts as an Office task); one page."""
        query = (
            select(TaskRow)
            .order_by(TaskRow.created_at.desc(), TaskRow.task_id)
            .limit(limit)
            .offset(offset)
        )
        if user_id is not None:
            query = query.where(TaskRow.user_id == user_id)
        if status is not None:
            query = query.where(TaskRow.status == status)
        if text:
            # Plain substring, case-insensitive; LIKE wildcards in the text are matched literally.
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(TaskRow.description.ilike(f"%{escaped}%", escape="\\"))
        if kind is not None:
            query = query.where(_of_kind(kind))
        with Session(self._engine) as session:
            return [_record(row) for row in session.scalars(query)]

    def set_trace_id(self, task_id: str, trace_id: str) -> None:
        """Record the task's trace id once; a later run keeps the first."""
        with self._engine.begin() as connection:
            connection.execute(_SET_TRACE_ID, {"b_task_id": task_id, "b_trace_id": trace_id})

    def set_status(self, task_id: str, status: str) -> None:
        """Record the task's new status."""
        with self._engine.begin() as connection:
            connection.execute(
                update(TaskRow)
                .where(TaskRow.task_id == task_id)
                .values(status=status, updated_at=datetime.now(UTC))
            )


def _of_kind(kind: RunKind) -> ColumnElement[bool]:
    """Tasks with a run of `kind`; for Office tasks also those with no run yet."""
    own_runs = RunRow.task_id == TaskRow.task_id
    named = [RunKind.TASK.workflow, RunKind.AGENTS.workflow]
    if kind is RunKind.GRAPH:  # any other workflow name is a graph's (as in run_kind)
        return exists().where(own_runs, RunRow.workflow.not_in(named))
    of_kind = exists().where(own_runs, RunRow.workflow == kind.workflow)
    if kind is RunKind.TASK:
        return or_(of_kind, not_(exists().where(own_runs)))
    return of_kind
