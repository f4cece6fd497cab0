"""Hostile JSON and odd bytes get a 4xx naming the problem, never a 500, on a real server.

`NaN`, `Infinity`, `-Infinity`, `1e400` and a lone surrogate (`"\\ud800"`) parse in
Python but cannot be stored or sent back as JSON; each is refused at the door with a
422 naming the field, and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
import sqlalchemy as sa

from tests.api.api_helpers import settings_for, workspace_root
from tests.api.conftest import LiveServer, running

BAD_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400"]
LONE_SURROGATE = '"\\ud800"'


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    """A server with a workspace root; webhooks are registered but never delivered."""
    settings = settings_for(tmp_path, workspace_root(tmp_path), webhooks={"enabled": False})
    with running(settings) as server:
        yield server


def post_raw(client: httpx.Client, path: str, body: str) -> httpx.Response:
    """POST `body` exactly as written, as application/json."""
    return client.post(path, content=body.encode(), headers={"Content-Type": "application/json"})


# (path, body with {} where the bad value goes, the field the answer must name)
JSON_ROUTES = [
    ("/tasks", '{{"description": "x", "max_cost": {}}}', "max_cost"),
    ("/tasks", '{{"description": "x", "priority": {}}}', "priority"),
    ("/tasks/nope/feedback", '{{"rating": {}}}', "rating"),
    ("/approvals/nope/approve", '{{"comment": "ok", "extra": [1, {}]}}', "extra.1"),
    ("/approvals/nope/deny", '{{"comment": {}}}', "comment"),
    ("/dlq/nope/retry", '{{"description": {}}}', "description"),
    ("/webhooks", '{{"url": "https://hooks.example.com/x", "event_types": [{}]}}', "event_types.0"),
    ("/api/agents", '{{"archetype": "researcher", "timeout": {}}}', "timeout"),
    ("/api/agents/nope/runs", '{{"input": {}}}', "input"),
]


def location(field: str) -> list[str | int]:
    """FastAPI's `loc` for a dotted field: `body`, then names and list indices."""
    return ["body", *(int(part) if part.isdigit() else part for part in field.split("."))]


def test_bad_json_values_are_a_422_naming_the_field(live: LiveServer) -> None:
    client = live.client(live.key("alice", "operator"))
    for value in [*BAD_NUMBERS, LONE_SURROGATE]:
        for path, template, field in JSON_ROUTES:
            answer = post_raw(client, path, template.format(value))
            assert answer.status_code == 422, (path, value, answer.status_code, answer.text)
            errors = answer.json()["errors"]
            assert errors[0]["loc"] == location(field), errors
            assert f"body.{field}" in errors[0]["msg"], errors
            assert f"body.{field}" in answer.json()["detail"]
    # Nothing was stored: alice has no task, no agent and no webhook.
    assert client.get("/tasks").json()["items"] == []
    with live.store.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM agents")).scalar() == 0
    assert client.get("/webhooks").json() == []


def test_a_bad_value_deep_inside_or_in_a_key_is_refused(live: LiveServer) -> None:
    client = live.client(live.key("alice", "operator"))
    for value in [*BAD_NUMBERS, LONE_SURROGATE]:
        body = f'{{"description": "x", "allowed_tools": ["a", {value}]}}'
        answer = post_raw(client, "/tasks", body)
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["loc"] == location("allowed_tools.1")
    surrogate_key = post_raw(client, "/tasks", '{"description": "x", "\\udc80": 1}')
    assert surrogate_key.status_code == 422, surrogate_key.text
    assert "lone surrogate" in surrogate_key.json()["errors"][0]["msg"]


def test_a_body_that_is_not_utf8_is_a_422(live: LiveServer) -> None:
    client = live.client(live.key("alice", "operator"))
    # A surrogate encoded as UTF-8 bytes (CESU-style), which Python's json would accept.
    raw = b'{"description": "x\xed\xa0\x80"}'
    answer = client.post("/tasks", content=raw, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert "not UTF-8" in answer.json()["detail"]


def test_chat_answers_bad_json_values_with_an_openai_error(live: LiveServer) -> None:
    client = live.client(live.key("alice", "operator"))
    for value in [*BAD_NUMBERS, LONE_SURROGATE]:
        body = f'{{"model": "office", "messages": [{{"role": "user", "content": {value}}}]}}'
        answer = post_raw(client, "/v1/chat/completions", body)
        assert answer.status_code == 400, answer.text
        message = answer.json()["error"]["message"]
        assert "body.messages.0.content" in message, message
    assert client.get("/tasks").json()["items"] == []


def test_odd_bytes_in_headers_paths_and_queries_of_read_routes_are_never_a_500(
    live: LiveServer,
) -> None:
    key = live.key("alice", "operator")
    client = live.client(key)
    odd = ["%ED%A0%80", "%FF", "%C0%AF", "\\ud800", "%00"]
    for text in odd:
        for path in (
            f"/tasks?text={text}",
            f"/tasks?status={text}",
            f"/tasks/{text}",
            f"/tasks/{text}/events?after={text}",
            f"/approvals?status={text}",
            f"/dlq?category={text}",
            f"/webhooks/{text}",
            f"/api/agents/{text}",
            f"/ui/tasks?q={text}",
        ):
            answer = client.get(path)
            assert answer.status_code < 500, (path, answer.status_code, answer.text)
    raw_headers = [
        (b"Authorization", b"Bearer " + key.encode()),
        (b"Idempotency-Key", b"\xed\xa0\x80\xff"),
        (b"Last-Event-ID", b"\xed\xa0\x80"),
        (b"X-API-Key", b"\xff\xfe"),
    ]
    with httpx.Client(base_url=live.url, timeout=30) as raw:
        for path in ("/tasks", "/approvals", "/dlq", "/webhooks", "/v1/models"):
            request = raw.build_request("GET", path)
            request.headers.raw[:] = raw_headers  # type: ignore[index]
            answer = raw.send(request)
            assert answer.status_code < 500, (path, answer.status_code, answer.text)
