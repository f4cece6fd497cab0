"""The store's Core tables and the ORM classes mapped onto them."""

from __future__ import annotations

import types
import typing
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Column

from intelligent_office.store import Store, schema
from intelligent_office.store.schema import UTCDateTime
from tests.fresh_python import fresh_python

# The ORM (`store.tables`, `sqlalchemy.orm`) is imported by the tests that read it, not here.


def test_every_orm_class_maps_onto_its_core_table() -> None:
    from sqlalchemy.orm import Mapped

    from intelligent_office.store import tables

    assert tables.Base.metadata is schema.metadata
    mapped = {mapper.class_.__table__.name: mapper for mapper in tables.Base.registry.mappers}
    assert set(mapped) == set(schema.metadata.tables)
    drift = []
    for name, mapper in mapped.items():
        table = schema.metadata.tables[name]
        assert mapper.local_table is table
        assert set(mapper.columns.keys()) == set(table.columns.keys())
        # Every column has its typed attribute on the class (what mypy and callers read),
        # of the column's Python type, optional exactly when the column is nullable.
        hints = typing.get_type_hints(mapper.class_)
        assert set(mapper.class_.__annotations__) == set(table.columns.keys())
        for column in table.columns:
            annotation = hints[column.key]
            assert typing.get_origin(annotation) is Mapped, f"{name}.{column.key}"
            (value_type,) = typing.get_args(annotation)
            if _annotation_disagrees(value_type, column):
                drift.append(
                    f"{name}.{column.key}: {value_type} for {column.type!r}, "
                    f"nullable={column.nullable}"
                )
    assert drift == []


def _annotation_disagrees(value_type: Any, column: Column[Any]) -> bool:
    """Whether `Mapped[value_type]` is not what `column` stores (type, or None allowed)."""
    members = typing.get_args(value_type) if isinstance(value_type, types.UnionType) else ()
    optional = type(None) in members
    if optional:
        (value_type,) = [member for member in members if member is not type(None)]
    if optional != bool(column.nullable):
        return True
    stored = typing.get_origin(value_type) or value_type
    if isinstance(column.type, UTCDateTime):
        return stored is not datetime
    if isinstance(column.type, JSON):
        return stored not in (dict, list)  # a JSON document: an object or an array
    return stored is not column.type.python_type


def test_a_created_task_is_the_stored_task(store: Store) -> None:
    from sqlalchemy import inspect

    from intelligent_office.store import tables

    created, _ = store.tasks.create(
        task_id="t1", user_id="u", description="d", priority=3, body={"a": [1]}
    )
    assert store.tasks.get("t1") == created
    assert store.tasks.recent(user_id="u") == [created]
    assert store.tasks.search(text="d") == [created]
    row = inspect(tables.TaskRow).columns["event_seq"]
    assert created.event_seq == 0 and row.default is not None


# A run's repositories and a new database, in a fresh interpreter: Core only, no ORM.
_RUN_PATH_PROBE = """
import json, sys
from datetime import UTC, datetime
from intelligent_office.store import Batch, JournalEntry, PendingEvent, Store

store = Store.open(sys.argv[1])
store.tasks.create(task_id="t1", user_id="u", description="d", idempotency_key="k")
store.tasks.create(task_id="t2", user_id="u", description="d", idempotency_key="k")
store.runs.create(run_id="r1", task_id="t1", workflow="w", input={})
assert store.runs.claim("r1", "me", 30)
now = datetime.now(UTC)
entry = JournalEntry(key="k1", activity="a", ok=True, output={"x": 1})
event = PendingEvent(task_id="t1", run_id="r1", type="x", time=now, dedup_key="e1")
store.journal.write([Batch("r1", "me", 30, entries=[entry], events=[event])])
store.signals.send("r1", "go", {"y": 2})
print(json.dumps({"journal": sorted(store.journal.load("r1")),
                  "events": [e.seq for e in store.events.read("t1")],
                  "tasks": [t.task_id for t in store.tasks.recent()],
                  "modules": sorted(sys.modules)}))
"""


def test_a_runs_repositories_on_a_new_database_use_no_orm(tmp_path: Path) -> None:
    report = fresh_python(_RUN_PATH_PROBE, f"sqlite:///{tmp_path / 'office.db'}")
    assert report["journal"] == ["k1"] and report["events"] == [1]
    assert report["tasks"] == ["t1"]
    loaded = [
        name
        for name in report["modules"]
        if name.startswith("sqlalchemy.orm") or name == "intelligent_office.store.tables"
    ]
    assert loaded == []
