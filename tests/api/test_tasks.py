"""The task API against the real app on 127.0.0.1 with the local runtime on SQLite: submit
(idempotently), follow (status, detail, logs, SSE with Last-Event-ID), cancel, approve,
rate; dead letters and tools."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from intelligent_office.settings import Settings
from intelligent_office.store import Store
from tests.api.api_helpers import (
    WRITE_TASK,
    pending_approval,
    read_sse,
    settings_for,
    trace_task,
    wait_for_status,
    workspace_root,
)
from tests.api.conftest import LiveServer


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return workspace_root(tmp_path)


@pytest.fixture
def api_settings(tmp_path: Path, workspace: Path) -> Settings:
    # One run at a time: a task waiting for a human keeps the next one queued.
    return settings_for(tmp_path, workspace, max_concurrent_runs=1)


def test_a_task_submitted_over_the_api_completes_with_its_answer(
    live: LiveServer, workspace: Path
) -> None:
    client = live.client(live.key("alice"))
    submitted = client.post(
        "/tasks", json={"description": trace_task(workspace), "workspace": "sample_app"}
    )
    assert submitted.status_code == 202, submitted.text
    body = submitted.json()
    task_id = body["task_id"]
    assert body["status"] == "queued" and body["created"] is True and body["run_id"]
    assert body["workspace"] == str((workspace / "sample_app").resolve())
    assert body["links"] == {
        "self": f"/tasks/{task_id}",
        "status": f"/tasks/{task_id}/status",
        "events": f"/tasks/{task_id}/events",
        "logs": f"/tasks/{task_id}/logs",
        "cancel": f"/tasks/{task_id}/cancel",
    }

    final = live.wait_for_task(client, task_id)
    assert final["status"] == "completed"
    assert final["progress"] == 1.0

    detail = client.get(f"/tasks/{task_id}").json()
    assert "app.core.processing.process_data()" in detail["answer"]
    assert detail["run_id"] == body["run_id"] and detail["run_status"] == "completed"
    assert [s["status"] for s in detail["subtasks"]] == ["completed"]
    assert detail["cost"] == {"usd": 0.0, "tokens": 0, "calls": 0}  # the offline brain

    logs = client.get(f"/tasks/{task_id}/logs", params={"limit": 3}).json()
    assert [event["seq"] for event in logs["items"]] == [1, 2, 3]
    assert logs["items"][0]["type"] == "task.submitted"
    rest = client.get(f"/tasks/{task_id}/logs", params={"after": logs["next_after"]}).json()
    types = [event["type"] for event in logs["items"] + rest["items"]]
    assert "task.completed" in types and rest["next_after"] is None


def test_the_same_idempotency_key_and_body_give_the_same_task(
    live: LiveServer, workspace: Path
) -> None:
    alice = live.client(live.key("alice"))
    request = {"description": trace_task(workspace), "priority": 7}
    headers = {"Idempotency-Key": "trace-1"}
    first = alice.post("/tasks", json=request, headers=headers)
    again = alice.post("/tasks", json=request, headers=headers)
    assert first.status_code == 202 and again.status_code == 200
    assert again.json()["created"] is False
    assert (again.json()["task_id"], again.json()["run_id"]) == (
        first.json()["task_id"],
        first.json()["run_id"],
    )
    assert len(live.store.runs.recent(task_id=first.json()["task_id"])) == 1

    other_body = alice.post("/tasks", json={**request, "priority": 3}, headers=headers)
    assert other_body.status_code == 409
    assert "different request" in other_body.json()["detail"]
    assert first.json()["task_id"] in other_body.json()["detail"]

    # Keys are per user: bob's "trace-1" is his own task, never alice's.
    bob = live.client(live.key("bob"))
    bobs = bob.post("/tasks", json=request, headers=headers)
    assert bobs.status_code == 202 and bobs.json()["task_id"] != first.json()["task_id"]


def test_sse_replays_after_last_event_id_then_streams_to_the_end(
    live: LiveServer, workspace: Path
) -> None:
    client = live.client(live.key("alice"))
    task_id = client.post("/tasks", json={"description": trace_task(workspace)}).json()["task_id"]

    # Live: from the start to the end of the task, the stream closes by itself.
    with client.stream("GET", f"/tasks/{task_id}/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        live_messages = list(read_sse(response))
    seqs = [int(message.id or 0) for message in live_messages]
    assert seqs == sorted(seqs) and seqs[0] == 1
    assert all(message.event == message.data["type"] for message in live_messages)
    assert "task.completed" in [message.event for message in live_messages]
    stored = live.store.events.read(task_id)
    assert seqs == [event.seq for event in stored]  # every stored event, once

    # A reconnect with Last-Event-ID gets exactly what came after it.
    resume_after = seqs[4]
    with client.stream(
        "GET", f"/tasks/{task_id}/events", headers={"Last-Event-ID": str(resume_after)}
    ) as response:
        replayed = list(read_sse(response))
    assert [int(message.id or 0) for message in replayed] == seqs[5:]
    assert replayed[0].data["seq"] == seqs[5] and replayed[0].data["task_id"] == task_id


def test_cancel_stops_a_task_waiting_for_approval_and_a_queued_one(
    live: LiveServer, workspace: Path
) -> None:
    client = live.client(live.key("alice"))
    waiting = client.post("/tasks", json={"description": WRITE_TASK}).json()["task_id"]
    approval = pending_approval(client, waiting)
    assert wait_for_status(client, waiting, "running")["current_step"].startswith(
        "waiting for approval"
    )
    # The only run slot is taken: the next task stays queued.
    queued = client.post("/tasks", json={"description": trace_task(workspace)}).json()["task_id"]

    cancelled = client.post(f"/tasks/{queued}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json() == {"task_id": queued, "status": "cancelled", "cancel_requested": True}

    running = client.post(f"/tasks/{waiting}/cancel")
    assert running.status_code == 200 and running.json()["cancel_requested"] is True
    final = wait_for_status(client, waiting, "cancelled")
    assert final["progress"] == 1.0
    types = [event["type"] for event in client.get(f"/tasks/{waiting}/logs").json()["items"]]
    assert types.count("task.cancelled") == 1 and "task.completed" not in types
    (run,) = live.store.runs.recent(task_id=waiting)
    assert run.status.value == "cancelled"
    assert not (workspace / "notes.md").exists()  # the risky step never ran
    expired = client.get("/approvals", params={"status": "expired"}).json()
    assert [item["id"] for item in expired] == [approval["id"]]

    again = client.post(f"/tasks/{waiting}/cancel")
    assert again.status_code == 409
    assert "already cancelled" in again.json()["detail"]


def test_approving_over_the_api_lets_the_waiting_task_finish(
    live: LiveServer, workspace: Path
) -> None:
    client = live.client(live.key("alice"))
    task_id = client.post("/tasks", json={"description": WRITE_TASK}).json()["task_id"]
    approval = pending_approval(client, task_id)
    assert "notes.md" in approval["subject"] and approval["status"] == "pending"

    decided = client.post(f"/approvals/{approval['id']}/approve", json={"comment": "fine"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "approved" and decided.json()["decided_by"] == "alice"
    assert live.wait_for_task(client, task_id)["status"] == "completed"
    assert (workspace / "notes.md").read_text() == "hello"

    # Approving again is harmless; denying what was approved is a conflict.
    assert client.post(f"/approvals/{approval['id']}/approve").status_code == 200
    denied = client.post(f"/approvals/{approval['id']}/deny", json={"comment": "no"})
    assert denied.status_code == 409 and "already approved" in denied.json()["detail"]
    audit = [entry.action for entry in live.store.audit.recent(task_id=task_id)]
    assert "approval.approved" in audit


def test_feedback_is_stored_and_announced(live: LiveServer, workspace: Path) -> None:
    client = live.client(live.key("alice"))
    task_id = client.post("/tasks", json={"description": trace_task(workspace)}).json()["task_id"]
    live.wait_for_task(client, task_id)

    given = client.post(f"/tasks/{task_id}/feedback", json={"rating": 5, "comment": "spot on"})
    assert given.status_code == 201, given.text
    assert given.json()["rating"] == 5 and given.json()["user_id"] == "alice"
    (stored,) = live.store.feedback.for_task(task_id)
    assert (stored.rating, stored.comment, stored.user_id) == (5, "spot on", "alice")
    events = [e for e in live.store.events.read(task_id) if e.type == "feedback.received"]
    assert len(events) == 1 and events[0].payload["rating"] == 5

    assert client.post(f"/tasks/{task_id}/feedback", json={"rating": 6}).status_code == 422
    empty = client.post(f"/tasks/{task_id}/feedback", json={"comment": "  "})
    assert empty.status_code == 422 and "rating" in empty.text


def test_listing_filters_searches_and_pages_newest_first(live: LiveServer, workspace: Path) -> None:
    alice = live.client(live.key("alice"))
    ids = [
        alice.post("/tasks", json={"description": f"{WRITE_TASK} number {n}"}).json()["task_id"]
        for n in range(3)
    ]
    live.client(live.key("bob")).post("/tasks", json={"description": trace_task(workspace)})

    page = alice.get("/tasks", params={"limit": 2}).json()
    assert [item["task_id"] for item in page["items"]] == [ids[2], ids[1]]
    assert page["next_offset"] == 2
    last = alice.get("/tasks", params={"limit": 2, "offset": 2}).json()
    assert [item["task_id"] for item in last["items"]] == [ids[0]] and last["next_offset"] is None

    found = alice.get("/tasks", params={"q": "NUMBER 1"}).json()["items"]
    assert [item["task_id"] for item in found] == [ids[1]]
    assert alice.get("/tasks", params={"q": "Trace"}).json()["items"] == []  # bob's
    assert alice.get("/tasks", params={"q": "%"}).json()["items"] == []  # literal, not LIKE

    assert alice.get("/tasks", params={"user": "bob"}).status_code == 403
    admin = live.client(live.key("root", "admin"))
    assert len(admin.get("/tasks").json()["items"]) == 4
    bobs = admin.get("/tasks", params={"user": "bob"}).json()["items"]
    assert [item["user_id"] for item in bobs] == ["bob"]
    statuses = {
        item["status"] for item in admin.get("/tasks", params={"status": "queued"}).json()["items"]
    }
    assert statuses <= {"queued"}


def test_a_workspace_outside_the_users_own_directory_is_refused(
    live: LiveServer, tmp_path: Path
) -> None:
    client = live.client(live.key("alice"))
    (tmp_path / "elsewhere").mkdir()
    for path in (str(tmp_path / "elsewhere"), "../../elsewhere", "/etc", "../bob"):
        refused = client.post("/tasks", json={"description": WRITE_TASK, "workspace": path})
        assert refused.status_code == 400, path
        assert "outside the directory of user alice" in refused.json()["detail"]
    missing = client.post("/tasks", json={"description": WRITE_TASK, "workspace": "nope"})
    assert missing.status_code == 400 and "not a directory" in missing.json()["detail"]
    assert live.store.tasks.recent() == []


def _dead_letter(store: Store, user: str, workspace: Path) -> str:
    """A dead letter of a stored task, as the Office leaves one."""
    task_id, letter_id = uuid.uuid4().hex, uuid.uuid4().hex
    body = {"task_id": task_id, "description": trace_task(workspace), "user_id": user}
    body["context"] = {"workspace": str(workspace)}  # type: ignore[assignment]
    store.tasks.create(
        task_id=task_id, user_id=user, description=str(body["description"]), body=body
    )
    store.tasks.set_status(task_id, "dead_lettered")
    store.dead_letters.add(
        dead_letter_id=letter_id,
        task_id=task_id,
        run_id=None,
        category="review",
        reason="the reviewer failed the answer",
        history={"task": body},
    )
    return letter_id


def test_dead_letters_are_listed_per_user_and_retried_once_unless_again(
    live: LiveServer, workspace: Path
) -> None:
    letter = _dead_letter(live.store, "alice", workspace)
    _dead_letter(live.store, "bob", workspace)
    alice = live.client(live.key("alice"))

    assert [item["id"] for item in alice.get("/dlq").json()] == [letter]
    retried = alice.post(f"/dlq/{letter}/retry", json={"description": trace_task(workspace)})
    assert retried.status_code == 202, retried.text
    assert live.wait_for_task(alice, retried.json()["task_id"])["status"] == "completed"
    assert alice.get("/dlq").json()[0]["retry_task_id"] == retried.json()["task_id"]

    twice = alice.post(f"/dlq/{letter}/retry")
    assert twice.status_code == 409 and '"again": true' in twice.json()["detail"]
    assert alice.post(f"/dlq/{letter}/retry", json={"again": True}).status_code == 202
    assert len(live.client(live.key("root", "admin")).get("/dlq").json()) == 2


def test_tools_are_listed_with_risk_and_parameters(live: LiveServer) -> None:
    tools = {
        tool["name"]: tool for tool in live.client(live.key("v", "viewer")).get("/tools").json()
    }
    assert tools["trace_calls"]["risk"] == "low"
    assert tools["trace_calls"]["parameters"]["type"] == "object"
    assert tools["write_file"]["idempotent"] in (True, False)


def test_status_is_fresh_while_a_task_runs(live: LiveServer, workspace: Path) -> None:
    client = live.client(live.key("alice"))
    task_id = client.post("/tasks", json={"description": WRITE_TASK}).json()["task_id"]
    pending_approval(client, task_id)
    status = client.get(f"/tasks/{task_id}/status").json()
    assert status["status"] == "running" and 0 < status["progress"] < 1
    assert (
        status["current_step"]
        == f"waiting for approval: {pending_approval(client, task_id)['subject']}"
    )
    assert datetime.fromisoformat(status["updated_at"]) <= datetime.now(UTC)


def test_a_cancel_flag_set_by_another_process_is_noticed_by_the_worker(
    live: LiveServer, workspace: Path
) -> None:
    client = live.client(live.key("alice"))
    submitted = client.post("/tasks", json={"description": WRITE_TASK}).json()
    pending_approval(client, submitted["task_id"])
    # What another server's `POST /cancel` leaves in the shared database: only the flag.
    assert live.store.runs.request_cancel(submitted["run_id"])
    assert wait_for_status(client, submitted["task_id"], "cancelled")["progress"] == 1.0
    types = [e.type for e in live.store.events.read(submitted["task_id"])]
    assert types.count("task.cancelled") == 1
