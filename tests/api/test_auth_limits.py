"""Keys, roles, tenants and limits against the real app: 401 without a valid key, 403 for a
viewer's writes, 404 for another tenant's task and approvals, 429 with Retry-After past
each per-user limit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from intelligent_office.settings import Settings
from tests.api.api_helpers import (
    WRITE_TASK,
    pending_approval,
    settings_for,
    trace_task,
    wait_for_status,
    workspace_root,
)
from tests.api.conftest import LiveServer
from tests.records import llm_call


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return workspace_root(tmp_path)


@pytest.fixture
def api_limits() -> dict[str, Any]:
    """The `api` settings of the server under test; tests override it."""
    return {}


@pytest.fixture
def api_settings(tmp_path: Path, workspace: Path, api_limits: dict[str, Any]) -> Settings:
    return settings_for(tmp_path, workspace, api=api_limits)


def test_no_key_an_unknown_key_or_a_revoked_key_is_401(live: LiveServer) -> None:
    record, key = live.store.api_keys.create(user_id="alice", role="operator")
    assert live.client(key).get("/tasks").status_code == 200
    live.store.api_keys.revoke(record.id)
    for client in (live.client(), live.client("office_not-a-key"), live.client(key)):
        for method, path in (("GET", "/tasks"), ("POST", "/tasks"), ("GET", "/approvals")):
            answer = client.request(method, path, json={"description": "x"})
            assert answer.status_code == 401, (method, path)
            assert "office keys create" in answer.json()["detail"]
            assert answer.headers["www-authenticate"] == "Bearer"


def test_another_tenants_task_and_approvals_are_404_everywhere(
    live: LiveServer, workspace: Path
) -> None:
    alice = live.client(live.key("alice"))
    task_id = alice.post("/tasks", json={"description": WRITE_TASK}).json()["task_id"]
    approval = pending_approval(alice, task_id)

    bob = live.client(live.key("bob"))
    for method, path, body in (
        ("GET", f"/tasks/{task_id}", None),
        ("GET", f"/tasks/{task_id}/status", None),
        ("GET", f"/tasks/{task_id}/logs", None),
        ("GET", f"/tasks/{task_id}/events", None),
        ("POST", f"/tasks/{task_id}/cancel", None),
        ("POST", f"/tasks/{task_id}/feedback", {"rating": 1}),
        ("POST", f"/approvals/{approval['id']}/approve", None),
        ("POST", f"/approvals/{approval['id']}/deny", {"comment": "mine now"}),
    ):
        answer = bob.request(method, path, json=body)
        assert answer.status_code == 404, (method, path, answer.text)
        assert answer.json()["detail"] in (f"no task {task_id}", f"no approval {approval['id']}")
    assert bob.get("/approvals", params={"status": "all"}).json() == []
    assert bob.get("/tasks").json()["items"] == []
    # Nothing bob did reached alice's task.
    assert alice.get(f"/tasks/{task_id}/status").json()["status"] == "running"
    assert live.store.approvals.get(approval["id"]).status == "pending"  # type: ignore[union-attr]
    assert live.store.feedback.for_task(task_id) == []

    admin = live.client(live.key("root", "admin"))
    assert admin.get(f"/tasks/{task_id}").json()["user_id"] == "alice"
    assert [a["id"] for a in admin.get("/approvals").json()] == [approval["id"]]


def test_a_viewer_reads_but_may_not_write(live: LiveServer, workspace: Path) -> None:
    alice = live.client(live.key("alice"))
    task_id = alice.post("/tasks", json={"description": WRITE_TASK}).json()["task_id"]
    approval = pending_approval(alice, task_id)

    viewer = live.client(live.key("alice", "viewer"))  # alice's read-only key
    assert viewer.get(f"/tasks/{task_id}").status_code == 200
    assert viewer.get("/approvals").json()[0]["id"] == approval["id"]
    for path, body in (
        ("/tasks", {"description": trace_task(workspace)}),
        (f"/tasks/{task_id}/cancel", None),
        (f"/tasks/{task_id}/feedback", {"rating": 4}),
        (f"/approvals/{approval['id']}/approve", None),
        (f"/dlq/{uuid.uuid4().hex}/retry", None),
    ):
        answer = viewer.post(path, json=body)
        assert answer.status_code == 403, (path, answer.text)
        assert "may only read" in answer.json()["detail"]
    assert len(live.store.tasks.recent()) == 1


@pytest.mark.parametrize("api_limits", [{"requests_per_minute": 3}])
def test_requests_past_the_rate_limit_are_429_with_retry_after(live: LiveServer) -> None:
    alice, bob = live.client(live.key("alice")), live.client(live.key("bob"))
    assert [alice.get("/tasks").status_code for _ in range(3)] == [200, 200, 200]
    limited = alice.get("/tools")
    assert limited.status_code == 429
    assert "requests_per_minute" in limited.json()["detail"]
    assert 1 <= int(limited.headers["retry-after"]) <= 20  # a token is back in 20 s
    assert bob.get("/tasks").status_code == 200  # per user: bob has his own bucket
    assert live.client().get("/healthz").status_code == 200  # probes are never limited


@pytest.mark.parametrize("api_limits", [{"max_concurrent_tasks": 1}])
def test_a_task_past_the_concurrent_task_quota_is_429(live: LiveServer, workspace: Path) -> None:
    alice = live.client(live.key("alice"))
    key = {"Idempotency-Key": "write-1"}
    waiting = alice.post("/tasks", json={"description": WRITE_TASK}, headers=key)
    assert waiting.status_code == 202
    refused = alice.post("/tasks", json={"description": trace_task(workspace)})
    assert refused.status_code == 429
    assert "max_concurrent_tasks" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) >= 1
    # Repeating the first submission is not a new task: it is answered, not refused.
    again = alice.post("/tasks", json={"description": WRITE_TASK}, headers=key)
    assert again.status_code == 200 and again.json()["task_id"] == waiting.json()["task_id"]
    other = live.client(live.key("bob")).post("/tasks", json={"description": trace_task(workspace)})
    assert other.status_code == 202

    assert alice.post(f"/tasks/{waiting.json()['task_id']}/cancel").status_code == 200
    wait_for_status(alice, waiting.json()["task_id"], "cancelled")
    alice_next = alice.post("/tasks", json={"description": trace_task(workspace)})
    assert alice_next.status_code == 202  # the slot is free again


@pytest.mark.parametrize("api_limits", [{"daily_cost_usd": 0.05}])
def test_a_task_past_the_daily_cost_quota_is_429_until_midnight(
    live: LiveServer, workspace: Path
) -> None:
    alice = live.client(live.key("alice"))
    first = alice.post("/tasks", json={"description": trace_task(workspace)}).json()
    live.wait_for_task(alice, first["task_id"])
    live.store.llm_calls.add(
        llm_call(
            task_id=first["task_id"],
            run_id=first["run_id"],
            subtask_id=None,
            model="gpt-test",
            input_tokens=1000,
            output_tokens=500,
            cost_usd=0.06,
            duration_seconds=1.0,
        )
    )
    refused = alice.post("/tasks", json={"description": trace_task(workspace)})
    assert refused.status_code == 429
    assert "daily_cost_usd" in refused.json()["detail"] and "$0.0600" in refused.json()["detail"]
    now = datetime.now(UTC)
    to_midnight = 86400 - (now.hour * 3600 + now.minute * 60 + now.second)
    assert abs(int(refused.headers["retry-after"]) - to_midnight) <= 2
    bob = live.client(live.key("bob"))
    assert bob.post("/tasks", json={"description": trace_task(workspace)}).status_code == 202


def test_an_idempotency_key_past_its_length_is_refused(live: LiveServer, workspace: Path) -> None:
    alice = live.client(live.key("alice"))
    answer = alice.post(
        "/tasks",
        json={"description": trace_task(workspace)},
        headers={"Idempotency-Key": "k" * 201},
    )
    assert answer.status_code == 422
    assert live.store.tasks.recent() == []
