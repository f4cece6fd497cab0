"""The journal's prepared statements write what SQLAlchemy would, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import JSON, Boolean, insert, select
from sqlalchemy.dialects import sqlite

from intelligent_office.store import Batch, JournalEntry, PendingEvent, Store
from intelligent_office.store.prepared import bind_encoder
from intelligent_office.store.tables import EventRow, JournalRow, UTCDateTime

MOMENTS = (
    datetime(2024, 2, 29, 23, 59, 59, 999_999, tzinfo=UTC),
    datetime(2025, 1, 1, 1, 2, 3, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    datetime(1999, 12, 31, 0, 0, 0, 7, tzinfo=UTC),
    None,
)
DOCUMENTS: tuple[Any, ...] = ({}, {"a": [1, 2.5, None, "é"], "b": {"c": True}}, None, [1, "x"])
TRUTHS = (True, False, None)


def test_sqlite_encoders_give_sqlalchemys_text() -> None:
    dialect = sqlite.dialect()
    cases: list[tuple[Any, tuple[Any, ...]]] = [
        (UTCDateTime(), MOMENTS),
        (JSON(), DOCUMENTS),
        (Boolean(), TRUTHS),
    ]
    for type_, values in cases:
        ours = bind_encoder(type_, dialect)
        theirs = type_.dialect_impl(dialect).bind_processor(dialect)
        assert ours is not None and theirs is not None
        for value in values:
            assert ours(value) == theirs(value)


def test_a_naive_timestamp_is_refused() -> None:
    encode = bind_encoder(UTCDateTime(), sqlite.dialect())
    assert encode is not None
    with pytest.raises(ValueError, match="timezone-aware"):
        encode(datetime(2025, 1, 1))


def test_a_value_that_is_not_a_boolean_is_refused_as_sqlalchemy_refuses_it() -> None:
    encode = bind_encoder(Boolean(), sqlite.dialect())
    assert encode is not None
    with pytest.raises(ValueError, match="is not None, True, or False"):
        encode(2)
    with pytest.raises(TypeError, match="Not a boolean value"):
        encode("yes")


def test_rows_read_back_like_rows_written_by_sqlalchemy(store: Store) -> None:
    store.tasks.create(task_id="t", user_id="u", description="d")
    store.runs.create(run_id="r", task_id="t", workflow="w", input={})
    moment = datetime(2025, 3, 4, 5, 6, 7, 890_123, tzinfo=timezone(timedelta(hours=-3)))
    entries = [
        JournalEntry(key="ok", activity="a", ok=True, output={"v": [1, "é", None]}),
        JournalEntry(key="failed", activity="a", ok=False, error_type="E", error="boom"),
    ]
    event = PendingEvent(
        task_id="t", run_id="r", type="x", time=moment, dedup_key="r/x", payload={"n": 1}
    )
    store.journal.write([Batch("r", None, 30, entries=entries, events=[event])])
    with store.engine.begin() as connection:  # the same values the ORM's way, beside them
        connection.execute(
            insert(JournalRow),
            [
                {
                    "run_id": "r",
                    "key": f"sa-{e.key}",
                    "activity": e.activity,
                    "ok": e.ok,
                    "output": e.output,
                    "error_type": e.error_type,
                    "error": e.error,
                    "retryable": e.retryable,
                    "recorded_at": moment,
                }
                for e in entries
            ],
        )
        stored = {row.key: row._mapping for row in connection.execute(select(JournalRow.__table__))}
        raw = connection.exec_driver_sql("SELECT key, output FROM journal ORDER BY key").all()
    assert {k: v for k, v in raw if k.startswith("sa-")} == {
        f"sa-{k}": v for k, v in raw if not k.startswith("sa-")
    }
    for entry in entries:
        ours, theirs = dict(stored[entry.key]), dict(stored[f"sa-{entry.key}"])
        assert ours.pop("recorded_at").tzinfo is not None
        theirs.pop("recorded_at")
        assert {**ours, "key": ""} == {**theirs, "key": ""}
    [read] = store.events.read("t")
    assert (read.seq, read.time, read.payload) == (1, moment, {"n": 1})
    assert read.time.tzinfo is not None
    with store.engine.connect() as connection:
        assert connection.scalar(select(EventRow.run_id)) == "r"
