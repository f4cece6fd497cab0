"""Events: append to a task's stream with the next sequence numbers, read it in order."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any, NoReturn

from sqlalchemy import Dialect, Engine, Update, bindparam, exists, select, update
from sqlalchemy.engine.interfaces import DBAPICursor

from intelligent_office.errors import LeaseLost
from intelligent_office.models.event import Event
from intelligent_office.store.on_conflict import IgnoringInserts
from intelligent_office.store.prepared import Prepared, transaction
from intelligent_office.store.records import PendingEvent
from intelligent_office.store.schema import events_table, runs_table, tasks_table

__all__ = ["EventRepository", "EventWriter", "named_rows"]

# Built once: constructing statements costs more than SQLite spends running them.
_BUMP_EVENT_SEQ = (
    update(tasks_table)
    .where(tasks_table.c.task_id == bindparam("b_task_id"))
    .values(event_seq=tasks_table.c.event_seq + bindparam("b_count"))
)
# The same bump, only while a run's lease is held: on SQLite the journal checks the lease
# in the statement that opens its write (one statement fewer per commit). SQLite has one
# writer at a time, so the lease cannot change before the transaction ends.
_BUMP_EVENT_SEQ_LEASED = _BUMP_EVENT_SEQ.where(
    exists().where(
        runs_table.c.run_id == bindparam("b_run_id"),
        runs_table.c.lease_owner == bindparam("b_owner"),
    )
)
_READ_EVENT_SEQ = select(tasks_table.c.event_seq).where(
    tasks_table.c.task_id == bindparam("b_task_id")
)
_INSERT_EVENT_IGNORE = IgnoringInserts(events_table)
_EVENT_COLUMNS = ("task_id", "run_id", "seq", "type", "time", "payload", "dedup_key")


class EventRepository:
    """Stored events, read in sequence order."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = EventWriter(engine.dialect)

    def append(
        self,
        *,
        task_id: str,
        run_id: str | None,
        type: str,
        payload: dict[str, Any],
        dedup_key: str,
    ) -> None:
        """Append one event with the task's next sequence number; a dedup_key seen before is
        ignored."""
        event = PendingEvent(
            task_id=task_id,
            run_id=run_id,
            type=type,
            time=datetime.now(UTC),
            dedup_key=dedup_key,
            payload=payload,
        )
        with transaction(self._engine) as cursor:
            self._writer.append(cursor, [event])

    def read(
        self,
        task_id: str,
        *,
        after_seq: int = 0,
        run_id: str | None = None,
        limit: int = 1000,
    ) -> list[Event]:
        """Events of a task with seq > after_seq, oldest first."""
        query = (
            select(events_table)
            .where(events_table.c.task_id == task_id, events_table.c.seq > after_seq)
            .order_by(events_table.c.seq)
            .limit(limit)
        )
        if run_id is not None:
            query = query.where(events_table.c.run_id == run_id)
        with self._engine.connect() as connection:
            return [
                Event(
                    type=row.type,
                    task_id=row.task_id,
                    run_id=row.run_id,
                    seq=row.seq,
                    time=row.time,
                    payload=row.payload,
                )
                for row in connection.execute(query)
            ]


def named_rows(numbered: list[tuple[str, int, list[PendingEvent]]]) -> list[dict[str, Any]]:
    """Event rows by column name, numbered from each task's first new number."""
    return [
        {
            "task_id": task_id,
            "run_id": event.run_id,
            "seq": first + offset,
            "type": event.type,
            "time": event.time,
            "payload": event.payload,
            "dedup_key": event.dedup_key,
        }
        for task_id, first, task_events in numbered
        for offset, event in enumerate(task_events)
    ]


class EventWriter:
    """Appends events inside a caller's transaction, numbered after each task's last one."""

    def __init__(self, dialect: Dialect) -> None:
        # PostgreSQL: the bump returns the new number (one round trip). SQLite: an UPDATE
        # with RETURNING cost 20 us more than the UPDATE and a SELECT after it (measured).
        self._returning = dialect.name != "sqlite"
        self._bump_seq = self._compile_bump(_BUMP_EVENT_SEQ, dialect)
        self._bump_seq_leased = self._compile_bump(_BUMP_EVENT_SEQ_LEASED, dialect)
        self._read_seq = Prepared.compile(_READ_EVENT_SEQ, dialect)
        self._insert = Prepared.compile(_INSERT_EVENT_IGNORE[dialect.name], dialect, _EVENT_COLUMNS)
        # Rows built in parameter order (SQLite): a dict per event and a walk over its
        # columns cost more than the insert. None: dicts (PostgreSQL's named parameters).
        self._encoders = self._insert.row_encoders(_EVENT_COLUMNS)

    def append(
        self,
        cursor: DBAPICursor,
        events: list[PendingEvent],
        *,
        lease: tuple[str, str] | None = None,
    ) -> None:
        """Insert `events` on `cursor`, in order, one sequence block per task.

        An event whose (task_id, dedup_key) is already stored is skipped (a replay); its
        sequence number is left unused, so numbers always increase but may have gaps.
        `lease` (run_id, owner): numbers are handed out only while that owner holds that
        run's lease; for SQLite, whose one writer at a time keeps it held until the
        transaction ends.

        Raises:
            LeaseLost: `lease` is no longer held; nothing was written.
        """
        by_task: dict[str, list[PendingEvent]] = defaultdict(list)
        for event in events:
            by_task[event.task_id].append(event)
        numbered: list[tuple[str, int, list[PendingEvent]]] = []
        for task_id, task_events in by_task.items():
            # One counter bump per task per batch: the row lock keeps sequences strictly
            # increasing across processes.
            last = self._bump(cursor, task_id, len(task_events), lease)
            numbered.append((task_id, last - len(task_events) + 1, task_events))
        if self._encoders is not None:
            self._insert.executemany_encoded(cursor, self._encoded(numbered))
            return
        self._insert.executemany(cursor, named_rows(numbered))

    def _encoded(
        self, numbered: list[tuple[str, int, list[PendingEvent]]]
    ) -> list[tuple[Any, ...]]:
        """Rows in parameter order, numbered from each task's first new number."""
        assert self._encoders is not None
        task_id_, run_id, seq, type_, time, payload, dedup_key = self._encoders
        return [
            (
                encoded_task_id,
                run_id(event.run_id),
                seq(first + offset),
                type_(event.type),
                time(event.time),
                payload(event.payload),
                dedup_key(event.dedup_key),
            )
            for task_id, first, task_events in numbered
            for encoded_task_id in (task_id_(task_id),)
            for offset, event in enumerate(task_events)
        ]

    def _compile_bump(self, bump: Update, dialect: Dialect) -> Prepared:
        returning = bump.returning(tasks_table.c.event_seq) if self._returning else bump
        return Prepared.compile(returning, dialect)

    def _bump(
        self, cursor: DBAPICursor, task_id: str, count: int, lease: tuple[str, str] | None
    ) -> int:
        """Take `count` numbers from the task's counter; return the last one."""
        values = {"b_task_id": task_id, "b_count": count}
        bump = self._bump_seq
        if lease is not None:
            values["b_run_id"], values["b_owner"] = lease
            bump = self._bump_seq_leased
        bump.execute(cursor, values)
        if self._returning:
            bumped = cursor.fetchone()
        elif cursor.rowcount == 1:
            bumped = self._read_seq.execute(cursor, {"b_task_id": task_id}).fetchone()
        else:
            bumped = None
        if bumped is None:
            self._no_task_or_lease(cursor, task_id, lease)
        return int(bumped[0])

    def _no_task_or_lease(
        self, cursor: DBAPICursor, task_id: str, lease: tuple[str, str] | None
    ) -> NoReturn:
        """Say why a bump matched no task: it is not there, or the lease was lost."""
        if lease is not None:
            exists_now = self._read_seq.execute(cursor, {"b_task_id": task_id}).fetchone()
            if exists_now is not None:
                run_id, owner = lease
                raise LeaseLost(f"run {run_id} is no longer leased by {owner}")
        raise LookupError(f"no task {task_id!r} to record events for")
