"""Tasks: create (idempotently), read, list, update status."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Row,
    bindparam,
    exists,
    insert,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from intelligent_office.run_kinds import RunKind
from intelligent_office.store.records import TaskRecord
from intelligent_office.store.schema import runs_table, tasks_table

__all__ = ["TaskRepository"]


# Core, not the ORM: `get` serves every API request and costs half as much this way, and
# a worker's run never imports the ORM.
_GET = select(tasks_table).where(tasks_table.c.task_id == bindparam("task_id"))
_SET_TRACE_ID = (
    update(tasks_table)
    .where(tasks_table.c.task_id == bindparam("b_task_id"), tasks_table.c.trace_id.is_(None))
    .values(trace_id=bindparam("b_trace_id"))
)


def _record(row: Row[Any]) -> TaskRecord:
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
        values: dict[str, Any] = {
            "task_id": task_id,
            "user_id": user_id,
            "description": description,
            "priority": priority,
            "status": status,
            "idempotency_key": idempotency_key,
            "request_hash": request_hash,
            "body": body or {},
            "event_seq": 0,
            "created_at": now,
            "updated_at": now,
        }
        try:
            with self._engine.begin() as connection:
                connection.execute(insert(tasks_table), values)
        except IntegrityError:
            # Lost a race on the same idempotency key: the other insert's task is the one.
            if idempotency_key is not None:
                existing = self.by_idempotency_key(user_id, idempotency_key)
                if existing is not None:
                    return existing, False
            raise
        return TaskRecord(**values), True

    def get(self, task_id: str) -> TaskRecord | None:
        """The task with this id, if any."""
        with self._engine.connect() as connection:
            row = connection.execute(_GET, {"task_id": task_id}).one_or_none()
        return _record(row) if row is not None else None

    def by_idempotency_key(self, user_id: str, key: str) -> TaskRecord | None:
        """The task `user_id` submitted with this idempotency key, if any (never another's)."""
        query = select(tasks_table).where(
            tasks_table.c.user_id == user_id, tasks_table.c.idempotency_key == key
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        return _record(row) if row else None

    def recent(
        self, *, user_id: str | None = None, status: str | None = None, limit: int = 50
    ) -> list[TaskRecord]:
        """Newest tasks first, optionally one user's or in one status."""
        query = select(tasks_table).order_by(tasks_table.c.created_at.desc()).limit(limit)
        if user_id is not None:
            query = query.where(tasks_table.c.user_id == user_id)
        if status is not None:
            query = query.where(tasks_table.c.status == status)
        with self._engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]

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
            select(tasks_table)
            .order_by(tasks_table.c.created_at.desc(), tasks_table.c.task_id)
            .limit(limit)
            .offset(offset)
        )
        if user_id is not None:
            query = query.where(tasks_table.c.user_id == user_id)
        if status is not None:
            query = query.where(tasks_table.c.status == status)
        if text:
            # Plain substring, case-insensitive; LIKE wildcards in the text are matched literally.
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(tasks_table.c.description.ilike(f"%{escaped}%", escape="\\"))
        if kind is not None:
            query = query.where(_of_kind(kind))
        with self._engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]

    def set_trace_id(self, task_id: str, trace_id: str) -> None:
        """Record the task's trace id once; a later run keeps the first."""
        with self._engine.begin() as connection:
            connection.execute(_SET_TRACE_ID, {"b_task_id": task_id, "b_trace_id": trace_id})

    def set_status(self, task_id: str, status: str) -> None:
        """Record the task's new status."""
        with self._engine.begin() as connection:
            connection.execute(
                update(tasks_table)
                .where(tasks_table.c.task_id == task_id)
                .values(status=status, updated_at=datetime.now(UTC))
            )


def _of_kind(kind: RunKind) -> ColumnElement[bool]:
    """Tasks with a run of `kind`; for Office tasks also those with no run yet."""
    own_runs = runs_table.c.task_id == tasks_table.c.task_id
    named = [RunKind.TASK.workflow, RunKind.AGENTS.workflow]
    if kind is RunKind.GRAPH:  # any other workflow name is a graph's (as in run_kind)
        return exists().where(own_runs, runs_table.c.workflow.not_in(named))
    of_kind = exists().where(own_runs, runs_table.c.workflow == kind.workflow)
    if kind is RunKind.TASK:
        return or_(of_kind, not_(exists().where(own_runs)))
    return of_kind
