"""The webhook repository on SQLite and PostgreSQL: which events are queued for whom, the
cursor, leases on deliveries and their outcomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from intelligent_office.store import Store
from intelligent_office.store.webhooks import event_type_matches


def _emit(store: Store, task_id: str, *types: str) -> None:
    for kind in types:
        store.events.append(
            task_id=task_id, run_id="r", type=kind, payload={"kind": kind}, dedup_key=kind
        )


def _queued(store: Store, webhook_id: str) -> list[tuple[str, str]]:
    return sorted((d.task_id, d.event_type) for d in store.webhooks.deliveries(webhook_id))


def test_a_user_webhook_gets_only_that_users_new_events(store: Store) -> None:
    store.tasks.create(task_id="a1", user_id="alice", description="d")
    store.tasks.create(task_id="b1", user_id="bob", description="d")
    _emit(store, "a1", "task.started")  # before the webhook: not delivered
    hook = store.webhooks.create(user_id="alice", url="http://127.0.0.1:9/", secret="s")
    _emit(store, "a1", "task.completed")
    _emit(store, "b1", "task.completed")

    assert store.webhooks.enqueue() == 1
    assert _queued(store, hook.id) == [("a1", "task.completed")]
    assert store.webhooks.enqueue() == 0  # queued once, whatever the number of passes
    moved = store.webhooks.get(hook.id)
    assert moved is not None and moved.last_event_id > hook.last_event_id


def test_a_task_webhook_gets_the_tasks_events_from_the_first_one_filtered_by_type(
    store: Store,
) -> None:
    store.tasks.create(task_id="t", user_id="alice", description="d")
    store.tasks.create(task_id="other", user_id="alice", description="d")
    _emit(store, "t", "task.started", "node.started")
    hook = store.webhooks.create(
        user_id="alice",
        url="http://127.0.0.1:9/",
        secret="s",
        task_id="t",
        event_types=["task.*"],
    )
    _emit(store, "t", "task.completed")
    _emit(store, "other", "task.completed")

    store.webhooks.enqueue()
    assert _queued(store, hook.id) == [("t", "task.completed"), ("t", "task.started")]


def test_enqueue_works_through_a_backlog_in_batches(store: Store) -> None:
    store.tasks.create(task_id="t", user_id="alice", description="d")
    hook = store.webhooks.create(user_id="alice", url="http://127.0.0.1:9/", secret="s")
    _emit(store, "t", *(f"step.{n}" for n in range(7)))
    assert store.webhooks.enqueue(batch=3) == 3
    assert store.webhooks.enqueue(batch=3) == 3
    assert store.webhooks.enqueue(batch=3) == 1
    assert len(store.webhooks.deliveries(hook.id)) == 7


def test_a_claimed_delivery_is_leased_then_retried_then_failed(store: Store) -> None:
    store.tasks.create(task_id="t", user_id="alice", description="d")
    hook = store.webhooks.create(user_id="alice", url="http://127.0.0.1:9/h", secret="s3cret")
    _emit(store, "t", "task.completed")
    store.webhooks.enqueue()
    now = datetime.now(UTC)
    assert store.webhooks.due_webhooks(now) == [hook.id]

    claimed = store.webhooks.claim_next(hook.id, now, lease_seconds=60)
    assert claimed is not None
    assert (claimed.url, claimed.secret, claimed.event.type) == (
        "http://127.0.0.1:9/h",
        "s3cret",
        "task.completed",
    )
    assert "s3cret" not in repr(claimed)
    # Leased: neither due nor claimable again until the lease runs out.
    assert store.webhooks.claim_next(hook.id, now, lease_seconds=60) is None
    assert store.webhooks.due_webhooks(now) == []
    assert store.webhooks.claim_next(hook.id, now + timedelta(seconds=61), lease_seconds=60)

    delivery_id = claimed.delivery.id
    retry_at = now + timedelta(seconds=5)
    store.webhooks.record_failure(
        delivery_id, status_code=500, error="HTTP 500", retry_at=retry_at, at=now
    )
    [pending] = store.webhooks.deliveries(hook.id)
    assert (pending.status, pending.attempts, pending.last_status_code) == ("pending", 1, 500)
    assert store.webhooks.claim_next(hook.id, now, lease_seconds=60) is None
    store.webhooks.record_failure(
        delivery_id, status_code=None, error="refused", retry_at=None, at=now
    )
    [failed] = store.webhooks.deliveries(hook.id)
    assert (failed.status, failed.attempts, failed.last_error) == ("failed", 2, "refused")


def test_delivered_and_deleted(store: Store) -> None:
    store.tasks.create(task_id="t", user_id="alice", description="d")
    hook = store.webhooks.create(user_id="alice", url="http://127.0.0.1:9/", secret="s")
    _emit(store, "t", "task.completed")
    store.webhooks.enqueue()
    now = datetime.now(UTC)
    claimed = store.webhooks.claim_next(hook.id, now, lease_seconds=60)
    assert claimed is not None
    store.webhooks.record_delivered(claimed.delivery.id, status_code=204, at=now)
    [done] = store.webhooks.deliveries(hook.id)
    assert (done.status, done.attempts, done.delivered_at) == ("delivered", 1, now)

    assert [h.id for h in store.webhooks.list(user_id="alice")] == [hook.id]
    assert store.webhooks.list(user_id="bob") == []
    assert store.webhooks.delete(hook.id) is True
    assert store.webhooks.get(hook.id) is None
    assert store.webhooks.deliveries(hook.id) == []
    assert store.webhooks.delete(hook.id) is False


def test_event_type_patterns() -> None:
    assert event_type_matches([], "node.started")
    assert event_type_matches(["*"], "node.started")
    assert event_type_matches(["task.completed"], "task.completed")
    assert not event_type_matches(["task.completed"], "task.completed.extra")
    assert event_type_matches(["task.*"], "task.dead_lettered")
    assert not event_type_matches(["task.*"], "tasks.x")
