"""Webhooks against the real app on 127.0.0.1: a real receiver verifies the signature of
every delivery of a task run over the API, a receiver answering 500 gets the delivery
again, a dead one never holds a task up, and one tenant never sees another's webhooks."""

from __future__ import annotations

import hashlib
import hmac
import shutil
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from intelligent_office.settings import Settings, load_settings
from intelligent_office.store.tables import EventRow
from intelligent_office.webhooks import verify
from tests.api.conftest import SAMPLE_APP, LiveServer, free_port
from tests.api.webhook_receiver import Received, receiver

TRACE_IN_OWN_DIRECTORY = "Trace the call sequence from main() to process_data() in sample_app"
"""The trace task on the copy of sample_app in the submitting user's own directory."""


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:
    """Quick webhook retries; alice's and bob's own directories hold a copy of sample_app."""
    for user in ("alice", "bob"):
        shutil.copytree(SAMPLE_APP, tmp_path / "workspace" / user / "sample_app")
    return load_settings(
        None,
        home=tmp_path / "home",
        database_url=f"sqlite:///{tmp_path / 'office.db'}",
        workspace_roots=[tmp_path / "workspace"],
        webhooks={
            "allow_private_addresses": True,  # the receivers listen on 127.0.0.1
            "poll_seconds": 0.05,
            "base_delay_seconds": 0.1,
            "max_delay_seconds": 0.4,
            "max_attempts": 3,
            "timeout_seconds": 30,
        },
    )


def submit_trace_task(live: LiveServer, key: str) -> str:
    """Submit the trace task over the API; its task id."""
    answer = live.client(key).post("/tasks", json={"description": TRACE_IN_OWN_DIRECTORY})
    assert answer.status_code == 202, answer.text
    task_id: str = answer.json()["task_id"]
    return task_id


def wait_for_task(live: LiveServer, key: str, task_id: str) -> object:
    """The task's final status, polled over the API."""
    return live.wait_for_task(live.client(key), task_id)["status"]


def independent_check(secret: str, delivery: Received) -> bool:
    """The README's verification, written out with the standard library only."""
    fields = dict(part.split("=", 1) for part in delivery.headers["office-signature"].split(","))
    signed = fields["t"].encode() + b"." + delivery.body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(fields["t"])) <= 300
    return fresh and hmac.compare_digest(expected, fields["v1"])


def test_every_delivery_of_a_task_is_signed_and_verified(live: LiveServer) -> None:
    key = live.key("alice", "operator")
    client = live.client(key)
    with receiver() as hooks:
        created = client.post("/webhooks", json={"url": hooks.url})
        assert created.status_code == 201, created.text
        webhook = created.json()
        secret = webhook["secret"]
        assert secret.startswith("whsec_")

        task_id = submit_trace_task(live, key)
        assert wait_for_task(live, key, task_id) == "completed"
        got = hooks.wait_for(
            lambda got: any(r.headers["office-event-type"] == "task.completed" for r in got)
        )

    for delivery in got:
        assert verify(secret, delivery.headers["office-signature"], delivery.body, now=time.time())
        assert independent_check(secret, delivery)
        assert not independent_check("whsec_wrong", delivery)
        body = delivery.json()
        assert delivery.headers["office-event-id"] == str(body["id"])
        assert delivery.headers["office-event-type"] == body["type"]
        assert delivery.headers["office-webhook-id"] == webhook["id"]
        assert delivery.headers["content-type"] == "application/json"
        assert body["task_id"] == task_id
        assert set(body) == {"id", "type", "task_id", "run_id", "seq", "time", "payload"}
    # A tampered body no longer verifies.
    last = got[-1]
    assert not verify(secret, last.headers["office-signature"], last.body + b" ", now=time.time())
    # Nor does a replay older than five minutes.
    assert not verify(secret, last.headers["office-signature"], last.body, now=time.time() + 301)

    completed = next(r.json() for r in got if r.headers["office-event-type"] == "task.completed")
    assert "process_data" in completed["payload"]["answer"]
    types = [r.json()["type"] for r in sorted(got, key=lambda r: r.json()["seq"])]
    assert types.index("task.decomposed") < types.index("task.completed")

    log = client.get(f"/webhooks/{webhook['id']}/deliveries").json()
    completed_log = next(d for d in log if d["event_type"] == "task.completed")
    assert completed_log["status"] == "delivered"
    assert completed_log["attempts"] == 1
    assert completed_log["last_status_code"] == 200
    # The secret is shown once: never in listings, the webhook itself, or the task's events.
    listing = client.get("/webhooks")
    assert listing.json()[0]["id"] == webhook["id"]
    assert secret not in listing.text
    assert secret not in client.get(f"/webhooks/{webhook['id']}").text
    for event in live.store.events.read(task_id):
        assert secret not in str(event.payload)


def test_a_receiver_answering_500_gets_the_delivery_again_until_it_takes_it(
    live: LiveServer,
) -> None:
    key = live.key("alice", "operator")
    client = live.client(key)
    with receiver(statuses=[500, 503]) as hooks:
        webhook = client.post(
            "/webhooks", json={"url": hooks.url, "event_types": ["task.completed"]}
        ).json()
        task_id = submit_trace_task(live, key)
        got = hooks.wait_for(lambda got: len(got) >= 3)

    assert [r.status for r in got] == [500, 503, 200]
    assert {r.headers["office-event-type"] for r in got} == {"task.completed"}
    assert len({r.headers["office-event-id"] for r in got}) == 1  # the same event each time
    assert all(
        verify(webhook["secret"], r.headers["office-signature"], r.body, now=time.time())
        for r in got
    )
    [delivery] = _wait_for_log(live, key, webhook["id"], "delivered")
    assert delivery["attempts"] == 3
    assert delivery["last_status_code"] == 200
    assert delivery["task_id"] == task_id
    assert delivery["delivered_at"] is not None


def test_a_dead_receiver_fails_after_max_attempts_without_holding_anyone_up(
    live: LiveServer,
) -> None:
    key = live.key("alice", "operator")
    client = live.client(key)
    dead_url = f"http://127.0.0.1:{free_port()}/nobody-listens"
    with receiver() as healthy:
        dead = client.post(
            "/webhooks", json={"url": dead_url, "event_types": ["task.completed"]}
        ).json()
        client.post("/webhooks", json={"url": healthy.url, "event_types": ["task.completed"]})
        task_id = submit_trace_task(live, key)
        assert wait_for_task(live, key, task_id) == "completed"
        healthy.wait_for(lambda got: len(got) == 1)

    [delivery] = _wait_for_log(live, key, dead["id"], "failed")
    assert delivery["attempts"] == 3  # max_attempts in this module's settings
    assert delivery["last_status_code"] is None
    assert "Connect" in delivery["last_error"]
    assert delivery["next_attempt_at"] is None


def test_a_slow_receiver_delays_only_its_own_deliveries(live: LiveServer) -> None:
    key = live.key("alice", "operator")
    client = live.client(key)
    stuck = threading.Event()
    with receiver(hold=stuck) as slow, receiver() as quick:
        client.post("/webhooks", json={"url": slow.url})
        client.post("/webhooks", json={"url": quick.url})
        task_id = submit_trace_task(live, key)
        assert wait_for_task(live, key, task_id) == "completed"
        # Every event reaches the quick receiver while the slow one still holds the first.
        got = quick.wait_for(
            lambda got: any(r.headers["office-event-type"] == "task.completed" for r in got)
        )
        assert len(slow.requests()) == 1
        stuck.set()
        wanted = {r.headers["office-event-id"] for r in got}
        slow.wait_for(lambda late: {r.headers["office-event-id"] for r in late} >= wanted)


def test_a_task_webhook_gets_only_that_task(live: LiveServer) -> None:
    key = live.key("alice", "operator")
    client = live.client(key)
    first = submit_trace_task(live, key)
    wait_for_task(live, key, first)
    with receiver() as hooks:
        # Created after the task finished: a task webhook still gets its events from the first.
        created = client.post(
            "/webhooks",
            json={"url": hooks.url, "task_id": first, "event_types": ["task.*"]},
        )
        assert created.status_code == 201, created.text
        webhook_id = created.json()["id"]
        second = submit_trace_task(live, key)
        wait_for_task(live, key, second)
        got = hooks.wait_for(lambda got: any(r.json()["type"] == "task.completed" for r in got))
        _wait_for_cursor_past_every_event(live, webhook_id)
    assert {r.json()["task_id"] for r in got} == {first}
    queued = client.get(f"/webhooks/{webhook_id}/deliveries").json()
    assert {d["task_id"] for d in queued} == {first}
    assert {r.json()["type"] for r in got} >= {"task.started", "task.completed"}
    assert all(r.json()["type"].startswith("task.") for r in got)


def test_another_tenant_cannot_see_or_delete_a_webhook(live: LiveServer) -> None:
    alice = live.client(live.key("alice", "operator"))
    bob = live.client(live.key("bob", "operator"))
    webhook = alice.post("/webhooks", json={"url": "https://hooks.example.com/a"}).json()
    path = f"/webhooks/{webhook['id']}"

    assert bob.get("/webhooks").json() == []
    for answer in (bob.get(path), bob.get(f"{path}/deliveries"), bob.delete(path)):
        assert answer.status_code == 404
        assert answer.json() == {"detail": f"no webhook {webhook['id']}", "errors": []}
    assert alice.get(path).status_code == 200  # still there

    admin = live.client(live.key("root", "admin"))
    assert [w["id"] for w in admin.get("/webhooks").json()] == [webhook["id"]]

    assert alice.delete(path).status_code == 204
    assert alice.get(path).status_code == 404
    assert alice.get("/webhooks").json() == []


def test_bad_requests_are_told_what_to_fix(live: LiveServer) -> None:
    key = live.key("alice", "operator")
    alice = live.client(key)
    for url in ("ftp://example.com/x", "not a url", "http://", "javascript:alert(1)"):
        answer = alice.post("/webhooks", json={"url": url})
        assert answer.status_code == 400, url
        assert "http:// or https://" in answer.json()["detail"]
    answer = alice.post("/webhooks", json={"url": "https://h.example/x", "event_types": [" "]})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "event_types", 0]

    task_id = submit_trace_task(live, key)
    bob = live.client(live.key("bob", "operator"))
    answer = bob.post("/webhooks", json={"url": "https://h.example/x", "task_id": task_id})
    assert answer.status_code == 404  # alice's task does not exist for bob

    viewer = live.client(live.key("carol", "viewer"))
    assert viewer.post("/webhooks", json={"url": "https://h.example/x"}).status_code == 403
    assert viewer.get("/webhooks").status_code == 200
    assert live.client().get("/webhooks").status_code == 401


def _wait_for_cursor_past_every_event(live: LiveServer, webhook_id: str) -> None:
    """Until the dispatcher has looked at every stored event for this webhook."""
    deadline = time.monotonic() + 30
    with live.store.engine.connect() as connection:
        newest = connection.execute(sa.select(sa.func.max(EventRow.id))).scalar_one()
    while True:
        webhook = live.store.webhooks.get(webhook_id)
        if webhook is not None and webhook.last_event_id >= newest:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"webhook cursor still before event {newest}: {webhook}")
        time.sleep(0.05)


def _wait_for_log(
    live: LiveServer, key: str, webhook_id: str, status: str
) -> list[dict[str, object]]:
    client = live.client(key)
    deadline = time.monotonic() + 30
    while True:
        log: list[dict[str, object]] = client.get(f"/webhooks/{webhook_id}/deliveries").json()
        if log and all(d["status"] == status for d in log):
            return log
        if time.monotonic() > deadline:
            raise AssertionError(f"deliveries not all {status}: {log}")
        time.sleep(0.05)
