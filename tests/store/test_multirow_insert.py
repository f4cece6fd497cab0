"""Many rows per INSERT on SQLite store exactly what one INSERT per row stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from intelligent_office.safe_text import _ENCODER, _LONE_SURROGATE, _escape_in_json, dumps_json
from intelligent_office.store import Store
from intelligent_office.store.prepared import MULTIROW_MAX_ROWS, MultiRowInsert

ODD_TEXTS = ("plain", "é ünïcode ✓ 𝄞", "quote ' and \" and \\", "line\nbreak\ttab", "nul\x00in", "")

# Around every statement size: empty, one row, the powers of two and past the largest.
SIZES = (0, 1, 3, 4, 31, 32, 33, MULTIROW_MAX_ROWS - 1, MULTIROW_MAX_ROWS, 600)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Store:
    store = Store.open(f"sqlite:///{tmp_path / 'office.db'}")
    store.tasks.create(task_id="t", user_id="u", description="d")
    yield store
    store.close()


def _rows(run_id: str, count: int) -> list[tuple[Any, ...]]:
    """Encoded journal rows in parameter order, with every kind of value a row holds."""
    return [
        (
            run_id,
            f"node/n{index}/attempt/1",
            ODD_TEXTS[index % len(ODD_TEXTS)],
            index % 2,
            dumps_json({"i": index, "text": ODD_TEXTS[index % len(ODD_TEXTS)]}),
            None,
            None if index % 3 else "error text",
            0,
            "2026-01-02 03:04:05.000006",
            "{}",
            None if index % 5 == 0 else "2026-01-02 03:04:05.123456",
        )
        for index in range(count)
    ]


def _stored(store: Store, run_id: str) -> list[tuple[Any, ...]]:
    """Every column of a run's rows with its SQLite storage class, in insertion order."""
    with store.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT rowid, key, activity, typeof(activity), ok, typeof(ok), output, error,"
            " typeof(error), recorded_at, input, started_at, typeof(started_at)"
            " FROM journal WHERE run_id = ? ORDER BY rowid",
            (run_id,),
        ).all()
    first = rows[0][0] if rows else 0
    return [(row[0] - first, *row[1:]) for row in rows]


@pytest.mark.parametrize("count", SIZES)
def test_many_rows_per_statement_store_what_one_row_per_statement_stores(
    sqlite_store: Store, count: int
) -> None:
    insert = sqlite_store.journal._insert_journal
    assert insert.multirow is not None
    for run_id in ("multi", "single"):
        sqlite_store.runs.create(run_id=run_id, task_id="t", workflow="w", input={})
    connection = sqlite_store.engine.raw_connection()
    try:
        cursor = connection.cursor()
        insert.executemany_encoded(cursor, _rows("multi", count))
        cursor.executemany(insert.sql, _rows("single", count))
        connection.commit()
    finally:
        connection.close()
    multi, single = _stored(sqlite_store, "multi"), _stored(sqlite_store, "single")
    assert len(multi) == count
    assert multi == single  # same values, same storage classes, same order


def test_a_row_already_there_or_twice_in_a_batch_keeps_the_first(sqlite_store: Store) -> None:
    insert = sqlite_store.journal._insert_journal
    sqlite_store.runs.create(run_id="r", task_id="t", workflow="w", input={})
    first = _rows("r", 40)
    later = [(*row[:2], "later", *row[3:]) for row in _rows("r", 80)]
    connection = sqlite_store.engine.raw_connection()
    try:
        cursor = connection.cursor()
        insert.executemany_encoded(cursor, first)
        insert.executemany_encoded(cursor, later + later)
        connection.commit()
    finally:
        connection.close()
    stored = {row[1]: row[2] for row in _stored(sqlite_store, "r")}
    assert len(stored) == 80
    assert [stored[f"node/n{index}/attempt/1"] for index in range(40)] == [
        ODD_TEXTS[index % len(ODD_TEXTS)] for index in range(40)
    ]
    assert {stored[f"node/n{index}/attempt/1"] for index in range(40, 80)} == {"later"}


def test_statements_come_in_a_few_sizes() -> None:
    multirow = MultiRowInsert.of("INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT DO NOTHING", 2)
    assert multirow is not None
    assert multirow.sql(3) == (
        "INSERT INTO t (a, b) VALUES (?, ?), (?, ?), (?, ?) ON CONFLICT DO NOTHING"
    )
    assert MultiRowInsert.of("UPDATE t SET a = ?", 1) is None
    assert MultiRowInsert.of("INSERT INTO t (a, b) VALUES (?, 1)", 2) is None


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
    assert dumps_json({"a": [1, "é"]}) == _ENCODER.encode({"a": [1, "é"]}) == '{"a": [1, "é"]}'
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
