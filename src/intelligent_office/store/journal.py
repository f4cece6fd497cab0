"""The journal: activity outcomes by (run_id, key), written in lease-fenced batches.

One batch is one transaction: it appends events with their sequence numbers, records
journal entries and checks, inside the same transaction, that the writer still holds
the run's lease (so a worker that lost its lease cannot record anything: the check
fails and nothing is written). A batch marked `renew` extends the lease instead of
only checking it; the writer asks for that once every third of a lease, not on every
commit. Many activities finishing together share one commit; each is durable before
its result is handed back. The write runs prepared statements on the driver's cursor
(`store.prepared`), rows sent with one `executemany` per table: this is the local
runtime's hot path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, bindparam, null, select, update
from sqlalchemy.engine.interfaces import DBAPICursor

from intelligent_office.errors import LeaseLost
from intelligent_office.store.events import EventWriter
from intelligent_office.store.on_conflict import IgnoringInserts
from intelligent_office.store.prepared import Prepared, in_transaction, transaction
from intelligent_office.store.records import JournalEntry, PendingEvent, RunOutcome
from intelligent_office.store.schema import events_table, journal_table, runs_table

if TYPE_CHECKING:
    from sqlalchemy.pool import PoolProxiedConnection

__all__ = ["Batch", "JournalRepository"]

# Built once: constructing statements costs more than SQLite spends running them.
_RENEW_LEASE = (
    update(runs_table)
    .where(
        runs_table.c.run_id == bindparam("b_run_id"),
        runs_table.c.lease_owner == bindparam("b_owner"),
    )
    .values(lease_expires_at=bindparam("b_expires"))
)
# The lease check holds the run's row (FOR SHARE on PostgreSQL; SQLite has one writer at
# a time): a claim by another worker waits until this transaction ends.
_CHECK_LEASE = (
    select(runs_table.c.run_id)
    .where(
        runs_table.c.run_id == bindparam("b_run_id"),
        runs_table.c.lease_owner == bindparam("b_owner"),
    )
    .with_for_update(read=True)
)
# A run's outcome, written by its lease holder with its last entries and events.
_FINISH_RUN = (
    update(runs_table)
    .where(
        runs_table.c.run_id == bindparam("b_run_id"),
        runs_table.c.lease_owner == bindparam("b_owner"),
    )
    .values(
        status=bindparam("b_status"),
        result=bindparam("b_result"),
        error=bindparam("b_error"),
        lease_owner=null(),
        lease_expires_at=null(),
        finished_at=bindparam("b_finished_at"),
    )
)
_ORDERED = (
    select(journal_table)
    .where(journal_table.c.run_id == bindparam("b_run_id"))
    .order_by(journal_table.c.recorded_at, journal_table.c.key)
)
_EVENT_KEYS = select(events_table.c.dedup_key).where(
    events_table.c.task_id == bindparam("b_task_id")
)
_INSERT_JOURNAL_IGNORE = IgnoringInserts(journal_table)
_JOURNAL_COLUMNS = (
    "run_id",
    "key",
    "activity",
    "ok",
    "output",
    "error_type",
    "error",
    "retryable",
    "recorded_at",
    "input",
    "started_at",
)


@dataclass
class Batch:
    """What one transaction records for one run."""

    run_id: str
    owner: str | None
    lease_seconds: float
    entries: list[JournalEntry] = field(default_factory=list)
    events: list[PendingEvent] = field(default_factory=list)
    renew: bool = True
    """Extend the lease (an UPDATE); False: only check it is still held (a read)."""
    outcome: RunOutcome | None = None
    """How the run ended: recorded after the rest, by the lease's owner (one is needed)."""


class JournalRepository:
    """Activity outcomes and the events recorded beside them."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        dialect = engine.dialect
        self._renew_lease = Prepared.compile(_RENEW_LEASE, dialect)
        self._check_lease = Prepared.compile(_CHECK_LEASE, dialect)
        self._finish_run = Prepared.compile(_FINISH_RUN, dialect)
        # SQLite: a read first would pin a snapshot a later write may not upgrade from
        # (SQLITE_BUSY_SNAPSHOT); after the first write this connection is the only writer.
        self._check_last = dialect.name == "sqlite"
        self._insert_journal = Prepared.compile(
            _INSERT_JOURNAL_IGNORE[dialect.name], dialect, _JOURNAL_COLUMNS
        )
        encoders = self._insert_journal.row_encoders(_JOURNAL_COLUMNS)
        self._rows = None if encoders is None else _JournalRows(encoders)
        self._events = EventWriter(dialect)

    def load(self, run_id: str) -> dict[str, JournalEntry]:
        """Every recorded outcome of a run, by key."""
        return {entry.key: entry for entry in self.ordered(run_id)}

    def ordered(self, run_id: str) -> list[JournalEntry]:
        """Every recorded outcome of a run, in the order they were recorded.

        Entries recorded in one batch share a time; among them the order is by key.
        """
        with self._engine.connect() as connection:
            return [
                JournalEntry(
                    key=row.key,
                    activity=row.activity,
                    ok=row.ok,
                    output=row.output,
                    error_type=row.error_type,
                    error=row.error,
                    retryable=row.retryable,
                    recorded_at=row.recorded_at,
                    input=row.input,
                    started_at=row.started_at,
                )
                for row in connection.execute(_ORDERED, {"b_run_id": run_id})
            ]

    def event_keys(self, task_id: str) -> set[str]:
        """Dedup keys of the events already recorded for a task."""
        with self._engine.connect() as connection:
            return set(connection.scalars(_EVENT_KEYS, {"b_task_id": task_id}))

    def write(
        self, batches: Sequence[Batch], *, connection: PoolProxiedConnection | None = None
    ) -> None:
        """Record every batch in one transaction, on `connection` if the caller holds one
        (the journal writer keeps one: a pool checkout per commit costs as much as a
        statement), else on one from the pool.

        Raises:
            LeaseLost: a batch's owner no longer holds its run's lease; nothing is written.
        """
        if connection is None:
            with transaction(self._engine) as cursor:
                self._write(cursor, batches)
        else:
            in_transaction(connection, lambda cursor: self._write(cursor, batches))

    def _write(self, cursor: DBAPICursor, batches: Sequence[Batch]) -> None:
        now = datetime.now(UTC)
        first: list[Batch] = []  # renewals (writes), and every check off SQLite
        last: list[Batch] = []  # SQLite: checks after the first write
        leased: list[Batch] = []  # SQLite: checked by the statement numbering its events
        for batch in batches:
            if batch.owner is None:
                continue
            if batch.renew or not self._check_last:
                first.append(batch)
            else:
                (leased if batch.events else last).append(batch)
        for batch in first:
            self._fence(cursor, batch, now)
        for batch in leased:
            assert batch.owner is not None
            self._events.append(cursor, batch.events, lease=(batch.run_id, batch.owner))
        if len(leased) < len(batches):
            skip = {id(batch) for batch in leased}
            events = [e for b in batches if id(b) not in skip for e in b.events]
            if events:
                self._events.append(cursor, events)
        # A replayed activity's outcome is already there: keep the first.
        if self._rows is not None:
            encoded = self._rows.encode(batches, now)
            if encoded:
                self._insert_journal.executemany_encoded(cursor, encoded)
        else:
            rows = [_journal_values(b.run_id, e, now) for b in batches for e in b.entries]
            if rows:
                self._insert_journal.executemany(cursor, rows)
        for batch in last:
            self._fence(cursor, batch, now)
        for batch in batches:
            if batch.outcome is not None:
                self._finish(cursor, batch, batch.outcome, now)

    def _finish(
        self, cursor: DBAPICursor, batch: Batch, outcome: RunOutcome, now: datetime
    ) -> None:
        """Record the run's outcome; raise LeaseLost unless the batch's owner holds it."""
        finished = {
            "b_run_id": batch.run_id,
            "b_owner": batch.owner,
            "b_status": outcome.status.value,
            "b_result": outcome.result,
            "b_error": outcome.error,
            "b_finished_at": now,
        }
        if self._finish_run.execute(cursor, finished).rowcount != 1:
            raise LeaseLost(f"run {batch.run_id} is no longer leased by {batch.owner}")

    def _fence(self, cursor: DBAPICursor, batch: Batch, now: datetime) -> None:
        """Renew or check the batch's lease; raise LeaseLost when its owner lost it."""
        if batch.renew:
            parameters = {
                "b_run_id": batch.run_id,
                "b_owner": batch.owner,
                "b_expires": now + timedelta(seconds=batch.lease_seconds),
            }
            held = self._renew_lease.execute(cursor, parameters).rowcount == 1
        else:
            checked = {"b_run_id": batch.run_id, "b_owner": batch.owner}
            held = self._check_lease.execute(cursor, checked).fetchone() is not None
        if not held:
            raise LeaseLost(f"run {batch.run_id} is no longer leased by {batch.owner}")


class _JournalRows:
    """Journal rows in the statement's parameter order, encoded as `Prepared` encodes them.

    The local runtime's fan-out writes hundreds of rows per commit: a dict per row and a
    walk over its eleven columns cost more than SQLite spends inserting it. The commit's
    time is encoded once for all its rows.
    """

    def __init__(self, encoders: tuple[Callable[[Any], Any], ...]) -> None:
        """`encoders`: one per column of `_JOURNAL_COLUMNS`, in that order."""
        self._encoders = encoders

    def encode(self, batches: Sequence[Batch], now: datetime) -> list[tuple[Any, ...]]:
        """Every entry of `batches` as a row, recorded at `now`."""
        (run_id, key, activity, ok, output, error_type, error, retryable, recorded_at, input_,
         started_at) = self._encoders  # fmt: skip
        recorded = recorded_at(now)
        return [
            (
                encoded_run_id,
                key(e.key),
                activity(e.activity),
                ok(e.ok),
                output(e.output),
                error_type(e.error_type),
                error(e.error),
                retryable(e.retryable),
                recorded,
                input_(e.input),
                started_at(e.started_at),
            )
            for batch in batches
            if batch.entries
            for encoded_run_id in (run_id(batch.run_id),)
            for e in batch.entries
        ]


def _journal_values(run_id: str, entry: JournalEntry, now: datetime) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "key": entry.key,
        "activity": entry.activity,
        "ok": entry.ok,
        "output": entry.output,
        "error_type": entry.error_type,
        "error": entry.error,
        "retryable": entry.retryable,
        "recorded_at": now,
        "input": entry.input,
        "started_at": entry.started_at,
    }
