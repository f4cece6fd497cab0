"""Webhook URLs with a trailing-dot host (`http://name.:port`) are judged and reached as
the same name without the dot, looked up once per attempt, on a real server and a real
receiver on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from intelligent_office.store import Store
from intelligent_office.store.webhooks import DeliveryRecord
from intelligent_office.tools.http import forbidden_reason, literal_address, system_resolver
from intelligent_office.webhooks import WebhookDispatcher, WebhookSettings, new_secret
from tests.api.api_helpers import settings_for, workspace_root
from tests.api.conftest import LiveServer, running
from tests.api.webhook_receiver import Receiver, receiver

QUICK = {"poll_seconds": 0.05, "base_delay_seconds": 0.1, "max_attempts": 2}


def serve(tmp_path: Path, **webhooks: Any) -> Iterator[LiveServer]:
    settings = settings_for(tmp_path, workspace_root(tmp_path), webhooks={**QUICK, **webhooks})
    with running(settings) as server:
        yield server


@pytest.fixture
def allowing(tmp_path: Path) -> Iterator[LiveServer]:
    """A server whose webhooks may reach private addresses (the receiver is local)."""
    yield from serve(tmp_path, allow_private_addresses=True)


@pytest.fixture
def refusing(tmp_path: Path) -> Iterator[LiveServer]:
    """A server with the default rule: public addresses only."""
    yield from serve(tmp_path)


def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not met in time"
        time.sleep(0.05)


def event_for(live: LiveServer, user: str) -> None:
    """One stored event of a task of `user` (the dispatcher delivers it)."""
    live.store.tasks.create(task_id=f"t-{user}", user_id=user, description="d")
    live.store.events.append(
        task_id=f"t-{user}", run_id="r", type="task.started", payload={}, dedup_key="s"
    )


def with_host(hooks: Receiver, host: str) -> str:
    port = hooks.url.rsplit(":", 1)[1].split("/", 1)[0]
    return f"http://{host}:{port}/hook"


def test_trailing_dot_hosts_are_delivered_when_private_addresses_are_allowed(
    allowing: LiveServer,
) -> None:
    live = allowing
    client = live.client(live.key("alice", "operator"))
    with receiver() as hooks:
        port = hooks.url.rsplit(":", 1)[1].split("/", 1)[0]
        for host in ("localhost.", "127.0.0.1."):
            created = client.post("/webhooks", json={"url": with_host(hooks, host)})
            assert created.status_code == 201, created.text
        event_for(live, "alice")
        got = hooks.wait_for(lambda got: len(got) == 2)
    assert sorted(r.headers["host"] for r in got) == [f"127.0.0.1:{port}", f"localhost:{port}"]
    for hook in client.get("/webhooks").json():
        (delivery,) = client.get(f"/webhooks/{hook['id']}/deliveries").json()
        assert (delivery["status"], delivery["attempts"]) == ("delivered", 1), delivery


def test_trailing_dot_hosts_follow_the_same_address_rules(refusing: LiveServer) -> None:
    live = refusing
    client = live.client(live.key("alice", "operator"))
    for host in ("localhost.", "127.0.0.1.", "LOCALHOST..", "0x7f.1."):
        answer = client.post("/webhooks", json={"url": f"http://{host}:9/hook"})
        assert answer.status_code == 400, (host, answer.text)
        assert "allow_private_addresses" in answer.json()["detail"]
    # A name is judged by what it resolves to, with or without its trailing dot.
    name = socket.gethostname()
    addresses = {literal_address(text) for text in system_resolver(name, 80)}
    if not addresses or any(a is None or forbidden_reason(a) is None for a in addresses):
        pytest.skip(f"this machine's name {name} does not resolve to internal addresses only")
    with receiver() as hooks:
        hooks_by_name = {}
        for host in (name, f"{name}."):
            created = client.post("/webhooks", json={"url": with_host(hooks, host)})
            assert created.status_code == 201, created.text  # no lookup when registering
            hooks_by_name[host] = created.json()["id"]
        event_for(live, "alice")

        def refused(hook_id: str) -> list[dict[str, Any]]:
            return [
                d
                for d in client.get(f"/webhooks/{hook_id}/deliveries").json()
                if d["status"] == "failed"
            ]

        until(lambda: all(refused(hook_id) for hook_id in hooks_by_name.values()))
        assert hooks.requests() == []  # nothing reached the receiver
    errors = {host: refused(hook_id)[0]["last_error"] for host, hook_id in hooks_by_name.items()}
    assert errors[name] == errors[f"{name}."], errors
    assert f"{name.lower()} resolves to" in errors[name] and "address" in errors[name], errors


async def test_a_delivery_looks_its_host_up_once_and_posts_to_that_address(
    store: Store,
) -> None:
    lookups: list[tuple[str, int]] = []

    def counting(host: str, port: int) -> list[str]:
        # A name only this resolver knows: if httpx looked it up again, the POST would fail.
        lookups.append((host, port))
        return ["127.0.0.1"] if host == "hooks.office-test" else []

    settings = WebhookSettings(**QUICK, allow_private_addresses=True)
    with receiver() as hooks:
        url = with_host(hooks, "hooks.office-test.")
        hook = store.webhooks.create(user_id="alice", url=url, secret=new_secret(), task_id="t")
        store.tasks.create(task_id="t", user_id="alice", description="d")
        for kind in ("task.started", "task.completed"):
            store.events.append(task_id="t", run_id="r", type=kind, payload={}, dedup_key=kind)
        stop = asyncio.Event()
        dispatcher = WebhookDispatcher(store, settings, resolver=counting)
        running_dispatcher = asyncio.create_task(dispatcher.run(stop))
        deadline = time.monotonic() + 30

        def delivered() -> list[DeliveryRecord]:
            return [d for d in store.webhooks.deliveries(hook.id) if d.status == "delivered"]

        while len(delivered()) < 2:
            assert time.monotonic() < deadline, store.webhooks.deliveries(hook.id)
            await asyncio.sleep(0.05)
        stop.set()
        await running_dispatcher
    port = int(url.rsplit(":", 1)[1].split("/", 1)[0])
    assert lookups == [("hooks.office-test", port)] * 2  # one per delivery, without the dot
    assert {r.headers["host"] for r in hooks.requests()} == {f"hooks.office-test:{port}"}
