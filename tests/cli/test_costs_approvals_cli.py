"""`office costs`, `office approvals`, `office approve` and `office deny` on a real SQLite file."""

from __future__ import annotations

import json

import pytest

from intelligent_office.store import LLMCallRecord, Store, approval_signal
from tests.cli.test_cli import office
from tests.records import llm_call


def _call(call_id: str, tier: str, cost_usd: float, cache_hit: bool = False) -> LLMCallRecord:
    return llm_call(
        call_id=call_id,
        subtask_id=None,
        tier=tier,
        model="gpt-x",
        input_tokens=0 if cache_hit else 100,
        output_tokens=0 if cache_hit else 10,
        cost_usd=cost_usd,
        cache_hit=cache_hit,
    )


@pytest.fixture
def store(database: str) -> Store:
    opened = Store.open(database)
    opened.tasks.create(task_id="t1", user_id="u", description="d")
    opened.runs.create(run_id="r1", task_id="t1", workflow="office", input={})
    return opened


def test_costs_by_tier_as_json_and_as_a_table(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store.llm_calls.add(_call("c1", "smart", 0.25))
    store.llm_calls.add(_call("c2", "smart", 0.5))
    store.llm_calls.add(_call("c3", "fast", 0.0, cache_hit=True))
    code, out, _ = office(["costs", "--by", "tier", "--json"], capsys, monkeypatch)
    assert code == 0
    assert json.loads(out) == [
        {
            "key": "smart",
            "calls": 2,
            "cache_hits": 0,
            "input_tokens": 200,
            "output_tokens": 20,
            "cost_usd": 0.75,
        },
        {
            "key": "fast",
            "calls": 1,
            "cache_hits": 1,
            "input_tokens": 0,
            "output_tokens": 0,
            "cost_usd": 0.0,
        },
    ]
    code, out, _ = office(["costs", "--task", "t1"], capsys, monkeypatch)
    assert code == 0 and "gpt-x" in out and "0.750000" in out
    total = next(line for line in out.splitlines() if "total" in line)
    cells = [cell.strip() for cell in total.split("│")[1:-1]]
    assert cells == ["total", "3", "1", "200", "20", "0.750000"]


def test_costs_with_nothing_recorded_or_a_bad_grouping(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = office(["costs"], capsys, monkeypatch)
    assert (code, out.strip()) == (0, "no LLM calls recorded")
    code, _, err = office(["costs", "--by", "week"], capsys, monkeypatch)
    assert code == 2 and "'week' is not one of" in err


def test_approve_records_the_decision_and_signals_the_run(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "ann")
    store.approvals.request(
        approval_id="a1",
        task_id="t1",
        run_id="r1",
        kind="budget",
        subject="task t1 is 80% through its budget",
        detail={},
    )
    code, out, _ = office(["approvals"], capsys, monkeypatch)
    assert code == 0 and "a1" in out and "task t1 is 80% through its budget" in out
    code, out, _ = office(["approve", "a1", "--comment", "go on"], capsys, monkeypatch)
    assert code == 0 and "approved budget approval a1 (task t1)" in out
    approval = store.approvals.require("a1")
    assert (approval.status, approval.decided_by, approval.comment) == ("approved", "ann", "go on")
    assert store.signals.get("r1", approval_signal("a1")) == (
        True,
        {"decision": "approved", "by": "ann", "comment": "go on"},
    )
    code, out, _ = office(["approvals", "--json"], capsys, monkeypatch)
    assert json.loads(out) == []
    code, out, _ = office(["approvals", "--all", "--json"], capsys, monkeypatch)
    assert [(a["id"], a["status"]) for a in json.loads(out)] == [("a1", "approved")]
    code, _, err = office(["deny", "a1"], capsys, monkeypatch)
    assert code == 2
    assert err.strip() == "office: approval a1 was already approved by ann"


def test_approving_again_delivers_a_decision_whose_signal_was_lost(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store.approvals.request(
        approval_id="a1", task_id="t1", run_id="r1", kind="budget", subject="s", detail={}
    )
    store.approvals.decide("a1", status="approved", by="ann")  # then the process died

    code, _, _ = office(["approve", "a1"], capsys, monkeypatch)

    assert code == 0
    arrived, payload = store.signals.get("r1", approval_signal("a1"))
    assert arrived and isinstance(payload, dict) and payload["decision"] == "approved"


def test_deny_without_a_run_and_an_unknown_id(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store.approvals.request(
        approval_id="a2", task_id="t1", run_id=None, kind="tool", subject="run rm", detail={}
    )
    code, out, _ = office(["deny", "a2"], capsys, monkeypatch)
    assert code == 0 and "denied tool approval a2" in out
    assert store.approvals.require("a2").status == "denied"
    code, _, err = office(["approve", "nope"], capsys, monkeypatch)
    assert code == 2 and err.strip() == (
        "office: no approval nope: `office approvals` lists the pending ones"
    )
