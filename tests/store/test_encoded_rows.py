"""The journal's and the events' rows built in parameter order hold what the statement's
own encoding (`Prepared.parameters`, SQLAlchemy's text) gives; `dumps_json` gives the
standard encoder's text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from intelligent_office.safe_text import _ENCODER, _LONE_SURROGATE, _escape_in_json, dumps_json
from intelligent_office.store import Batch, JournalEntry, PendingEvent, Store
from intelligent_office.store.events import named_rows
from intelligent_office.store.journal import _journal_values

ODD_TEXTS = ("plain", "é ünïcode ✓ 𝄞", "quote ' \" \\", "line\nbreak", "lone \udcff byte", "")
MOMENTS = (
    datetime(2024, 2, 29, 23, 59, 59, 999_999, tzinfo=UTC),
    datetime(2025, 1, 1, 1, 2, 3, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    None,
)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Any:
    store = Store.open(f"sqlite:///{tmp_path / 'office.db'}")
    yield store
    store.close()


def _entries() -> list[JournalEntry]:
    return [
        JournalEntry(
            key=f"node/{text}/{index}",
            activity=text or "a",
            ok=index % 2 == 0,
            output=None if index % 4 == 3 else {"text": text, "n": [index, 2.5, None]},
            error_type=None if index % 2 == 0 else "Error",
            error=None if index % 2 == 0 else text,
            retryable=index % 3 == 0,
            input=None if index % 5 == 0 else text,
            started_at=MOMENTS[index % len(MOMENTS)],
        )
        for index, text in enumerate(ODD_TEXTS * 3)
    ]


def test_journal_rows_in_parameter_order_are_the_statements_own_encoding(
    sqlite_store: Store,
) -> None:
    journal = sqlite_store.journal
    insert, rows = journal._insert_journal, journal._rows
    assert rows is not None
    now = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    batches = [Batch("run-a", None, 30, entries=_entries()), Batch("run \udcff", None, 30)]
    batches[1].entries.extend(_entries()[:4])
    expected = [
        tuple(insert.parameters(_journal_values(batch.run_id, entry, now)))
        for batch in batches
        for entry in batch.entries
    ]
    assert rows.encode(batches, now) == expected


def test_event_rows_in_parameter_order_are_the_statements_own_encoding(
    sqlite_store: Store,
) -> None:
    writer = sqlite_store.journal._events
    events = [
        PendingEvent(
            task_id="t",
            run_id=None if index % 3 == 0 else f"r {text}",
            type=f"node.{text}",
            time=MOMENTS[index % 2] or datetime.now(UTC),
            dedup_key=f"r/{text}/{index}",
            payload={"text": text, "i": index},
        )
        for index, text in enumerate(ODD_TEXTS * 2)
    ]
    numbered = [("t", 7, events[:5]), ("other \udcff", 1, events[5:])]
    expected = [tuple(writer._insert.parameters(row)) for row in named_rows(numbered)]
    assert writer._encoded(numbered) == expected


def test_json_documents_are_encoded_as_the_standard_encoder_encodes_them() -> None:
    documents: list[Any] = [
        {},
        None,
        "text",
        [1, 2.5, -0.0, 1e100, None, True, False],
        {"nested": {"list": [{"é": "ü"}, "𝄞"]}, "n": 10**30},
        {1: "int key", "x": float("inf")},
        "lone \udcff surrogate",
        {"key \ud800": ["value \udfff"]},
    ]
    for document in documents:
        text = dumps_json(document)
        assert text.encode("utf-8")  # valid UTF-8 whatever the document held
        assert text == _by_the_standard_encoder(document)
    circular: list[Any] = []
    circular.append(circular)
    with pytest.raises((RecursionError, ValueError)):
        dumps_json(circular)
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps_json({"when": object()})


def _by_the_standard_encoder(document: Any) -> str:
    """What `dumps_json` gave before it kept its C encoder: `JSONEncoder.encode`, then
    lone surrogates escaped."""
    text = _ENCODER.encode(document)
    return text if text.isascii() else _LONE_SURROGATE.sub(_escape_in_json, text)


def test_rows_as_tuples_need_the_statements_exact_parameter_order() -> None:
    from sqlalchemy import insert
    from sqlalchemy.dialects import postgresql, sqlite

    from intelligent_office.store.journal import _JOURNAL_COLUMNS
    from intelligent_office.store.prepared import Prepared
    from intelligent_office.store.schema import journal_table

    columns = list(_JOURNAL_COLUMNS)
    in_order = Prepared.compile(insert(journal_table), sqlite.dialect(), columns)
    assert in_order.row_encoders(columns) is not None
    assert in_order.row_encoders(columns[::-1]) is None
    fewer = Prepared.compile(insert(journal_table), sqlite.dialect(), columns[:-1])
    assert fewer.row_encoders(columns) is None
    named = Prepared.compile(insert(journal_table), postgresql.dialect(), columns)
    assert named.row_encoders(columns) is None


def test_sqlite_builds_rows_in_parameter_order_and_dicts_store_the_same(
    tmp_path: Path,
) -> None:
    """The journal and the events fall back alike (dicts) when rows cannot be tuples."""
    import sqlite3

    written = []
    for fast in (True, False):
        path = tmp_path / f"{fast}.db"
        store = Store.open(f"sqlite:///{path}")
        try:
            journal = store.journal
            assert (journal._rows is not None) and (journal._events._encoders is not None)
            if not fast:  # as on a driver whose parameters are not in this order
                journal._rows = None
                journal._events._encoders = None
            store.tasks.create(task_id="t", user_id="u", description="d")
            store.runs.create(run_id="r", task_id="t", workflow="w", input={})
            assert store.runs.claim("r", "me", 30)
            events = [
                PendingEvent("t", "r", f"e.{text}", MOMENTS[0], f"r/{i}", {"t": text})
                for i, text in enumerate(ODD_TEXTS)
            ]
            journal.write([Batch("r", "me", 30, entries=_entries(), events=events)])
        finally:
            store.close()
        with sqlite3.connect(path) as raw:
            journal_rows = raw.execute(
                "SELECT run_id, key, activity, ok, output, error_type, error, retryable,"
                " input, started_at FROM journal ORDER BY key"
            ).fetchall()
            event_rows = raw.execute(
                "SELECT task_id, run_id, seq, type, time, payload, dedup_key FROM events"
                " ORDER BY seq"
            ).fetchall()
        written.append((journal_rows, event_rows))
    assert len(written[0][0]) == len(_entries()) and len(written[0][1]) == len(ODD_TEXTS)
    assert written[0] == written[1]
