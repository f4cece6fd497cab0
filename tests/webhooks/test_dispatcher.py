"""The dispatcher on its own, on SQLite and PostgreSQL, against a real receiver on
127.0.0.1: deliveries are rows, so a new dispatcher (a restarted server) finishes what
an old one left; backoff doubles, is capped and jittered; signatures verify."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable

import httpx2

from intelligent_office.store import Store
from intelligent_office.webhooks import WebhookDispatcher, WebhookSettings, new_secret, verify
from intelligent_office.webhooks.signing import signature_header
from tests.api.webhook_receiver import receiver

# The receivers listen on 127.0.0.1, which webhooks may reach only when allowed.
QUICK = WebhookSettings(
    poll_seconds=0.02, base_delay_seconds=0.05, max_attempts=5, allow_private_addresses=True
)


async def _until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not met within {timeout} s")
        await asyncio.sleep(0.02)


def _task_with_events(store: Store, *types: str) -> None:
    store.tasks.create(task_id="t", user_id="alice", description="d")
    for kind in types:
        store.events.append(task_id="t", run_id="r", type=kind, payload={}, dedup_key=kind)


async def test_a_new_dispatcher_finishes_what_a_stopped_one_left(store: Store) -> None:
    with receiver(statuses=[500]) as hooks:
        secret = new_secret()
        hook = store.webhooks.create(user_id="alice", url=hooks.url, secret=secret, task_id="t")
        _task_with_events(store, "task.started", "task.completed")

        first_stop = asyncio.Event()
        first = asyncio.create_task(WebhookDispatcher(store, QUICK).run(first_stop))
        # The first attempt of the first event fails; stop before its retry is due.
        await _until(lambda: any(d.attempts for d in store.webhooks.deliveries(hook.id)))
        first_stop.set()
        await first

        log = {d.event_type: d for d in store.webhooks.deliveries(hook.id)}
        assert log["task.started"].status == "pending"
        assert log["task.started"].last_status_code == 500

        second_stop = asyncio.Event()  # "after a restart": a dispatcher knowing nothing
        second = asyncio.create_task(WebhookDispatcher(store, QUICK).run(second_stop))
        await _until(
            lambda: {d.status for d in store.webhooks.deliveries(hook.id)} == {"delivered"}
        )
        second_stop.set()
        await second

    log = {d.event_type: d for d in store.webhooks.deliveries(hook.id)}
    assert log["task.started"].attempts == 2
    delivered = [r for r in hooks.requests() if r.status == 200]
    # At least once: a POST cut off by the stop may have reached the receiver already.
    assert {r.json()["type"] for r in delivered} == {"task.completed", "task.started"}
    assert all(
        verify(secret, r.headers["office-signature"], r.body, now=time.time()) for r in delivered
    )


async def test_one_delivery_is_posted_once_by_two_dispatchers(store: Store) -> None:
    with receiver() as hooks:
        hook = store.webhooks.create(user_id="alice", url=hooks.url, secret="s", task_id="t")
        _task_with_events(store, *(f"step.{n}" for n in range(10)))
        stop = asyncio.Event()
        both = [asyncio.create_task(WebhookDispatcher(store, QUICK).run(stop)) for _ in range(2)]
        await _until(
            lambda: {d.status for d in store.webhooks.deliveries(hook.id)} == {"delivered"}
        )
        stop.set()
        await asyncio.gather(*both)
    ids = [r.headers["office-event-id"] for r in hooks.requests()]
    assert len(ids) == 10 and len(set(ids)) == 10


async def test_the_last_attempt_marks_the_delivery_failed(store: Store) -> None:
    with receiver(statuses=[500] * 5) as hooks:
        hook = store.webhooks.create(user_id="alice", url=hooks.url, secret="s", task_id="t")
        _task_with_events(store, "task.completed")
        stop = asyncio.Event()
        dispatcher = asyncio.create_task(
            WebhookDispatcher(store, QUICK.model_copy(update={"max_attempts": 3})).run(stop)
        )
        await _until(lambda: store.webhooks.deliveries(hook.id, status="failed") != [])
        stop.set()
        await dispatcher
    [failed] = store.webhooks.deliveries(hook.id)
    assert (failed.attempts, failed.last_status_code) == (3, 500)
    assert failed.last_error == "the receiver answered HTTP 500"
    assert len(hooks.requests()) == 3


async def test_a_redirect_is_not_followed_and_counts_as_a_failure(store: Store) -> None:
    with receiver(statuses=[302]) as hooks:
        hook = store.webhooks.create(user_id="alice", url=hooks.url, secret="s", task_id="t")
        _task_with_events(store, "task.completed")
        async with httpx2.AsyncClient() as client:
            store.webhooks.enqueue()
            dispatcher = WebhookDispatcher(store, QUICK, client=client)
            claimed = store.webhooks.claim_next(
                hook.id, store.webhooks.deliveries(hook.id)[0].next_attempt_at, lease_seconds=30
            )
            assert claimed is not None
            assert await dispatcher.deliver(client, claimed) is False
    [pending] = store.webhooks.deliveries(hook.id)
    assert (pending.status, pending.last_status_code) == ("pending", 302)


def test_backoff_doubles_is_capped_and_jittered() -> None:
    settings = WebhookSettings(base_delay_seconds=1, max_delay_seconds=10)
    dispatcher = WebhookDispatcher(None, settings, rng=random.Random(7))  # type: ignore[arg-type]
    for attempts, base in [(1, 1), (2, 2), (3, 4), (4, 8), (5, 10), (9, 10)]:
        delay = dispatcher.backoff(attempts)
        assert base <= delay <= base * 1.25, (attempts, delay)
    assert len({dispatcher.backoff(3) for _ in range(20)}) > 1  # jittered


def test_a_signature_verifies_only_for_its_secret_body_and_time() -> None:
    body = b'{"id":1}'
    now = int(time.time())
    header = signature_header("whsec_a", now, body)
    assert verify("whsec_a", header, body, now=now)
    assert verify("whsec_a", header, body, now=now + 299)
    assert not verify("whsec_a", header, body, now=now + 301)
    assert not verify("whsec_b", header, body, now=now)
    assert not verify("whsec_a", header, body + b"x", now=now)
    for broken in ("", "t=,v1=00", "v1=abc", f"t={now}", "garbage"):
        assert not verify("whsec_a", broken, body, now=now)


async def test_a_private_destination_is_refused_unless_allowed(store: Store) -> None:
    with receiver() as hooks:
        hook = store.webhooks.create(
            user_id="alice", url=hooks.url, secret=new_secret(), task_id="t"
        )
        _task_with_events(store, "task.started")
        stop = asyncio.Event()
        running = asyncio.create_task(WebhookDispatcher(store, WebhookSettings()).run(stop))
        await _until(lambda: any(d.status == "failed" for d in store.webhooks.deliveries(hook.id)))
        stop.set()
        await running
    (refused,) = store.webhooks.deliveries(hook.id)
    assert refused.attempts == 1  # not retried: the address will not become public
    assert refused.last_error is not None and "loopback" in refused.last_error
    assert "allow_private_addresses" in refused.last_error
    assert hooks.requests() == []  # nothing reached the receiver


def test_destinations_are_judged_in_every_spelling() -> None:
    from intelligent_office.webhooks.destinations import literal_problem, resolved_problem

    for url in [
        "http://127.0.0.1/x",
        "http://127.1/x",
        "http://0x7f.0.0.1/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.8:8080/",
        "http://localhost:9000/",
        "http://api.localhost/",
    ]:
        assert literal_problem(url) is not None, url
    assert literal_problem("https://hooks.example.com/office") is None
    assert literal_problem("https://93.184.215.14/office") is None

    def resolves_to(*addresses: str) -> Callable[[str, int], list[str]]:
        return lambda host, port: list(addresses)

    internal = resolves_to("93.184.215.14", "192.168.1.20")
    problem = resolved_problem("https://hooks.example.com/x", internal)
    assert problem is not None and "192.168.1.20" in problem and "private" in problem
    assert resolved_problem("https://hooks.example.com/x", resolves_to("93.184.215.14")) is None
