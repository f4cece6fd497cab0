"""The LLM call ledger, the response cache and `events.append`, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from intelligent_office.store import CostRow, LLMCallRecord, Spend, Store
from tests.records import llm_call

NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _call(call_id: str, **changes: Any) -> LLMCallRecord:
    base = llm_call(
        call_id=call_id,
        run_id="r1",
        tier="smart",
        model="gpt-big",
        cost_usd=0.25,
        duration_seconds=1.5,
        created_at=NOON,
    )
    return replace(base, **changes)


def _ledger(store: Store) -> None:
    store.llm_calls.add(_call("c1"))
    store.llm_calls.add(_call("c2", created_at=NOON + timedelta(minutes=1)))
    store.llm_calls.add(
        _call(
            "c3",
            agent="reviewer",
            tier="fast",
            model="gpt-small",
            input_tokens=10,
            output_tokens=5,
            cost_usd=0.125,
            created_at=NOON + timedelta(days=1),
        )
    )
    store.llm_calls.add(
        _call(
            "c4",
            agent="reviewer",
            tier="fast",
            model="gpt-small",
            input_tokens=0,
            output_tokens=0,
            cost_usd=0.0,
            cache_hit=True,
            created_at=NOON + timedelta(days=1),
        )
    )
    store.llm_calls.add(_call("c5", task_id="t2", cost_usd=0.5, input_tokens=1, output_tokens=1))


def test_a_call_is_recorded_once_and_read_back_oldest_first(store: Store) -> None:
    store.llm_calls.add(_call("late", created_at=NOON + timedelta(hours=1)))
    store.llm_calls.add(_call("early", error="boom", ok=False))
    store.llm_calls.add(_call("early", cost_usd=9.0))  # a replay keeps the first record
    calls = store.llm_calls.for_task("t1")
    assert [c.call_id for c in calls] == ["early", "late"]
    assert calls[0] == _call("early", error="boom", ok=False)
    assert store.llm_calls.for_task("nobody") == []


def test_spent_sums_a_task_and_one_of_its_agents(store: Store) -> None:
    _ledger(store)
    assert store.llm_calls.spent("t1") == Spend(cost_usd=0.625, tokens=255, calls=4)
    assert store.llm_calls.spent("t1", "reviewer") == Spend(cost_usd=0.125, tokens=15, calls=2)
    assert store.llm_calls.spent("t2") == Spend(cost_usd=0.5, tokens=2, calls=1)
    assert store.llm_calls.spent("t3") == Spend(cost_usd=0.0, tokens=0, calls=0)


def test_summary_groups_by_model_tier_agent_and_task_costliest_first(store: Store) -> None:
    _ledger(store)
    by_model = store.llm_calls.summary("model")
    assert by_model == [
        CostRow("gpt-big", calls=3, cache_hits=0, input_tokens=201, output_tokens=41, cost_usd=1.0),
        CostRow(
            "gpt-small", calls=2, cache_hits=1, input_tokens=10, output_tokens=5, cost_usd=0.125
        ),
    ]
    assert [(r.key, r.calls) for r in store.llm_calls.summary("tier")] == [
        ("smart", 3),
        ("fast", 2),
    ]
    assert [(r.key, r.cost_usd) for r in store.llm_calls.summary("agent", task_id="t1")] == [
        ("planner", 0.5),
        ("reviewer", 0.125),
    ]
    assert [(r.key, r.cost_usd) for r in store.llm_calls.summary("task")] == [
        ("t1", 0.625),
        ("t2", 0.5),
    ]


def test_summary_by_day_uses_the_utc_date(store: Store) -> None:
    plus_two = timezone(timedelta(hours=2))
    # 00:30 on March 2nd at UTC+2 is still March 1st in UTC.
    store.llm_calls.add(_call("a", created_at=datetime(2026, 3, 2, 0, 30, tzinfo=plus_two)))
    store.llm_calls.add(_call("b", created_at=datetime(2026, 3, 1, 23, 59, tzinfo=UTC)))
    store.llm_calls.add(_call("c", created_at=datetime(2026, 3, 2, 0, 1, tzinfo=UTC), cost_usd=1.0))
    rows = store.llm_calls.summary("day")
    assert [(r.key, r.calls, r.cost_usd) for r in rows] == [
        ("2026-03-02", 1, 1.0),
        ("2026-03-01", 2, 0.5),
    ]


def test_cache_hits_until_expiry_and_put_replaces(store: Store) -> None:
    store.llm_cache.put("k" * 64, "gpt-big", {"text": "first"}, expires_at=NOON)
    assert store.llm_cache.get("k" * 64, NOON - timedelta(seconds=1)) == {"text": "first"}
    assert store.llm_cache.get("k" * 64, NOON) is None  # expired
    assert store.llm_cache.get("missing", NOON) is None
    store.llm_cache.put("k" * 64, "gpt-big", {"text": "second"}, expires_at=NOON + timedelta(1))
    assert store.llm_cache.get("k" * 64, NOON) == {"text": "second"}


def test_purge_removes_only_expired_entries(store: Store) -> None:
    store.llm_cache.put("old", "m", {"v": 1}, expires_at=NOON - timedelta(hours=1))
    store.llm_cache.put("now", "m", {"v": 2}, expires_at=NOON)
    store.llm_cache.put("new", "m", {"v": 3}, expires_at=NOON + timedelta(hours=1))
    assert store.llm_cache.purge_expired(NOON) == 2
    assert store.llm_cache.purge_expired(NOON) == 0
    assert store.llm_cache.get("new", NOON) == {"v": 3}


def test_events_append_numbers_in_order_and_ignores_a_repeated_dedup_key(store: Store) -> None:
    store.tasks.create(task_id="t", user_id="u", description="d")
    for key in ("a", "b", "a", "c"):
        store.events.append(
            task_id="t", run_id=None, type="llm.called", payload={"key": key}, dedup_key=key
        )
    events = store.events.read("t")
    assert [e.payload["key"] for e in events] == ["a", "b", "c"]
    seqs = [e.seq for e in events]
    assert seqs[0] == 1 and seqs == sorted(set(seqs))
    assert all(e.type == "llm.called" and e.run_id is None for e in events)
