"""Cookies only for the UI: a state change carried by the `office_key` cookie alone must
come from this server's pages, on every API route; pages spend the user's rate limit.

A browser attaches the cookie to any request to the server, whichever site built it,
so without the Origin check a page elsewhere could approve, cancel or submit for a
signed-in user. API clients send the key in a header and are not concerned.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from tests.api.api_helpers import WRITE_TASK, pending_approval, settings_for, workspace_root
from tests.api.conftest import LiveServer, running

EVIL = "https://evil.example"


def serve(tmp_path: Path, **api: Any) -> Iterator[LiveServer]:
    settings = settings_for(
        tmp_path, workspace_root(tmp_path), webhooks={"enabled": False}, api=api or {}
    )
    with running(settings) as server:
        yield server


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    yield from serve(tmp_path)


def browser(live: LiveServer, key: str, origin: str | None) -> httpx.Client:
    """A client carrying only the UI's cookie, as a browser would, with this Origin."""
    headers = {"Origin": origin} if origin is not None else {}
    client = httpx.Client(
        base_url=live.url, cookies={"office_key": key}, headers=headers, timeout=30.0
    )
    live.clients.append(client)
    return client


def state_changes(task_id: str, approval_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every kind of state-changing API route, with a body it would accept."""
    missing = uuid.uuid4().hex
    return [
        ("POST", f"/approvals/{approval_id}/approve", None),
        ("POST", f"/approvals/{approval_id}/deny", {"comment": "no"}),
        ("POST", f"/tasks/{task_id}/cancel", None),
        ("POST", f"/tasks/{task_id}/feedback", {"rating": 1}),
        ("POST", "/tasks", {"description": WRITE_TASK}),
        ("POST", f"/dlq/{missing}/retry", None),
        ("POST", "/webhooks", {"url": "https://hooks.example.com/x"}),
        ("DELETE", f"/webhooks/{missing}", None),
        ("POST", "/api/agents", {"archetype": "researcher"}),
        ("DELETE", f"/api/agents/{missing}", None),
        ("POST", f"/api/agents/{missing}/runs", {"input": "hi"}),
        ("POST", "/v1/chat/completions", {"model": "office", "messages": []}),
    ]


def test_the_cookie_changes_nothing_from_a_foreign_or_missing_origin(live: LiveServer) -> None:
    key = live.key("alice", "operator")
    api = live.client(key)
    task = api.post("/tasks", json={"description": WRITE_TASK}).json()
    approval = pending_approval(api, task["task_id"])
    for origin in (EVIL, None, "null", f"{live.url}.evil.example"):
        forged = browser(live, key, origin)
        for method, path, body in state_changes(task["task_id"], approval["id"]):
            answer = forged.request(method, path, json=body)
            assert answer.status_code == 403, (origin, method, path, answer.text)
            message = answer.json().get("detail") or answer.json()["error"]["message"]
            assert "Authorization: Bearer" in message, message
        # Reading with the cookie still works (the UI's live view streams events so).
        assert forged.get(f"/tasks/{task['task_id']}").status_code == 200
    # Nothing changed: the approval still waits, one task, no webhook, no agent.
    stored = live.store.approvals.get(approval["id"])
    assert stored is not None and stored.status == "pending"
    assert api.get(f"/tasks/{task['task_id']}/status").json()["status"] != "cancelled"
    assert len(live.store.tasks.recent()) == 1
    assert api.get("/webhooks").json() == []


def test_the_cookie_works_from_the_servers_own_pages_and_headers_from_anywhere(
    live: LiveServer,
) -> None:
    key = live.key("alice", "operator")
    api = live.client(key)
    task = api.post("/tasks", json={"description": WRITE_TASK}).json()
    approval = pending_approval(api, task["task_id"])
    own = browser(live, key, live.url)
    approved = own.post(f"/approvals/{approval['id']}/approve")
    assert approved.status_code == 200, approved.text
    # A header-borne key is not a browser's ambient credential: any Origin is fine.
    elsewhere = live.client(key)
    elsewhere.headers["Origin"] = EVIL
    created = elsewhere.post("/webhooks", json={"url": "https://hooks.example.com/x"})
    assert created.status_code == 201, created.text
    by_api_key = httpx.Client(
        base_url=live.url, headers={"X-API-Key": key, "Origin": EVIL}, timeout=30.0
    )
    live.clients.append(by_api_key)
    assert by_api_key.delete(f"/webhooks/{created.json()['id']}").status_code == 204


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[LiveServer]:
    yield from serve(tmp_path, requests_per_minute=4)


def test_ui_pages_and_forms_spend_the_same_rate_limit_as_the_api(limited: LiveServer) -> None:
    live = limited
    key = live.key("alice", "operator")
    api = live.client(key)
    ui = browser(live, key, live.url)
    assert ui.get("/ui/").status_code == 200  # 1
    assert [api.get("/tasks").status_code for _ in range(3)] == [200, 200, 200]  # 2..4
    assert api.get("/tasks").status_code == 429
    for method, path, form in (
        ("GET", "/ui/", None),
        ("GET", "/ui/tasks", None),
        ("GET", "/ui/approvals", None),
        ("GET", "/ui/dlq", None),
        ("POST", "/ui/tasks", {"description": WRITE_TASK}),
    ):
        answer = ui.request(method, path, data=form)
        assert answer.status_code == 429, (method, path, answer.status_code)
        assert "requests_per_minute" in answer.text
        assert int(answer.headers["retry-after"]) >= 1
    assert live.store.tasks.recent() == []  # the refused form submitted nothing
    # Another user's bucket is untouched.
    bob = browser(live, live.key("bob", "operator"), live.url)
    assert bob.get("/ui/").status_code == 200
