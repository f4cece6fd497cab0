"""Approvals: requested once, listed, decided once, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from intelligent_office.errors import UserError
from intelligent_office.store import ApprovalRecord, Store, approval_signal


def _request(
    store: Store, approval_id: str, task_id: str = "t1", kind: str = "budget"
) -> ApprovalRecord:
    return store.approvals.request(
        approval_id=approval_id,
        task_id=task_id,
        run_id="r1",
        kind=kind,
        subject=f"let {task_id} spend more",
        detail={"spent_usd": 0.8, "max_cost_usd": 1.0},
    )


@pytest.fixture
def tasks(store: Store) -> Store:
    for task_id in ("t1", "t2"):
        store.tasks.create(task_id=task_id, user_id="u", description="d")
    return store


def test_request_is_idempotent(tasks: Store) -> None:
    first = _request(tasks, "a1")
    assert (first.status, first.kind, first.detail) == (
        "pending",
        "budget",
        {"spent_usd": 0.8, "max_cost_usd": 1.0},
    )
    assert first.decided_at is None and first.decided_by is None
    again = tasks.approvals.request(
        approval_id="a1", task_id="t1", run_id=None, kind="tool", subject="other", detail={}
    )
    assert again == first == tasks.approvals.get("a1")
    assert len(tasks.approvals.list()) == 1


def test_list_filters_by_status_and_task_newest_first(tasks: Store) -> None:
    for approval_id, task_id in (("a1", "t1"), ("a2", "t2"), ("a3", "t1")):
        _request(tasks, approval_id, task_id)
    tasks.approvals.decide("a2", status="denied", by="bob")
    assert [a.id for a in tasks.approvals.list()] == ["a3", "a1"]
    assert [a.id for a in tasks.approvals.list(status=None)] == ["a3", "a2", "a1"]
    assert [a.id for a in tasks.approvals.list(status="denied")] == ["a2"]
    assert [a.id for a in tasks.approvals.list(status=None, task_id="t2")] == ["a2"]
    assert [a.id for a in tasks.approvals.list(status=None, limit=1)] == ["a3"]


def test_an_approval_is_decided_once(tasks: Store) -> None:
    _request(tasks, "a1")
    decided = tasks.approvals.decide("a1", status="approved", by="ann", comment="fine")
    assert (decided.status, decided.decided_by, decided.comment) == ("approved", "ann", "fine")
    assert decided.decided_at is not None and decided.decided_at >= decided.requested_at
    with pytest.raises(UserError, match="^approval a1 was already approved by ann$"):
        tasks.approvals.decide("a1", status="denied", by="bob")
    assert tasks.approvals.require("a1") == decided  # the second decision changed nothing


def test_unknown_approvals_name_the_command_that_lists_them(tasks: Store) -> None:
    assert tasks.approvals.get("nope") is None
    with pytest.raises(UserError, match="no approval nope: `office approvals` lists"):
        tasks.approvals.require("nope")
    with pytest.raises(UserError, match="no approval nope"):
        tasks.approvals.decide("nope", status="approved", by="ann")


def test_granted_needs_an_approved_approval_of_that_kind_for_that_task(tasks: Store) -> None:
    _request(tasks, "a1", "t1", "budget")
    _request(tasks, "a2", "t1", "tool")
    _request(tasks, "a3", "t2", "budget")
    assert not tasks.approvals.granted("t1", "budget")  # pending is not granted
    tasks.approvals.decide("a1", status="approved", by="ann")
    tasks.approvals.decide("a2", status="denied", by="ann")
    tasks.approvals.decide("a3", status="expired", by=None)
    assert tasks.approvals.granted("t1", "budget")
    assert not tasks.approvals.granted("t1", "tool")
    assert not tasks.approvals.granted("t2", "budget")


def test_an_expired_approval_says_so_without_a_decider(tasks: Store) -> None:
    _request(tasks, "a1")
    tasks.approvals.decide("a1", status="expired", by=None)
    with pytest.raises(UserError, match="^approval a1 was already expired$"):
        tasks.approvals.decide("a1", status="approved", by="ann")


def test_the_approval_signal_name() -> None:
    assert approval_signal("a1") == "approval/a1"
