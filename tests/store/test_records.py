"""The journal's records keep a dataclass's behaviour with the __init__ written out for
speed: the same parameters as their fields, every field set, still frozen."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import UTC, datetime
from typing import Any

import pytest

from intelligent_office.store import JournalEntry, PendingEvent


@pytest.mark.parametrize("record", [JournalEntry, PendingEvent])
def test_init_takes_the_fields_in_order_with_their_defaults(record: type[Any]) -> None:
    parameters = list(inspect.signature(record).parameters.values())
    fields = dataclasses.fields(record)
    assert [p.name for p in parameters] == [f.name for f in fields]
    for parameter, field in zip(parameters, fields, strict=True):
        assert parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        if field.default is not dataclasses.MISSING:
            assert parameter.default == field.default
        elif field.default_factory is not dataclasses.MISSING:
            assert parameter.default is None  # None: a fresh default_factory() value
        else:
            assert parameter.default is inspect.Parameter.empty


def test_a_journal_entry_sets_every_field_and_stays_frozen() -> None:
    now = datetime.now(UTC)
    values = {
        "key": "k",
        "activity": "a",
        "ok": False,
        "output": {"x": 1},
        "error_type": "E",
        "error": "bad",
        "retryable": True,
        "recorded_at": now,
        "input": "{}",
        "started_at": now,
    }
    entry = JournalEntry(**values)
    assert dataclasses.asdict(entry) == values
    assert entry == JournalEntry(*values.values())
    assert repr(entry).startswith("JournalEntry(key='k', activity='a', ok=False")
    assert dataclasses.replace(entry, ok=True).ok is True
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.ok = True  # type: ignore[misc]
    short = JournalEntry("k", "a", True)
    assert (short.output, short.retryable, short.started_at) == (None, False, None)
    assert hash(short) == hash(JournalEntry(key="k", activity="a", ok=True))


def test_a_pending_event_sets_every_field_and_gets_its_own_empty_payload() -> None:
    now = datetime.now(UTC)
    event = PendingEvent(task_id="t", run_id=None, type="x", time=now, dedup_key="d")
    other = PendingEvent("t", None, "x", now, "d")
    assert dataclasses.asdict(event) == {
        "task_id": "t",
        "run_id": None,
        "type": "x",
        "time": now,
        "dedup_key": "d",
        "payload": {},
    }
    assert event == other and event.payload is not other.payload
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.type = "y"  # type: ignore[misc]
