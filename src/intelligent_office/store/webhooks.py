"""Webhooks and their deliveries: who wants which events, and what became of each one.

Each webhook keeps a cursor (`last_event_id`) over the events table's id. `enqueue`
turns the events past the cursor into delivery rows and moves the cursor in the same
transaction, so an event is queued once per webhook whatever happens to the process.
A dispatcher claims a due delivery under a short lease (by pushing `next_attempt_at`
forward), posts it, and records the outcome.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from intelligent_office.models.event import Event
from intelligent_office.store.erasure import erase_old_versions
from intelligent_office.store.on_conflict import IgnoringInserts
from intelligent_office.store.tables import EventRow, TaskRow, WebhookDeliveryRow, WebhookRow

__all__ = [
    "ClaimedDelivery",
    "DeliveryRecord",
    "WebhookRecord",
    "WebhookRepository",
    "event_type_matches",
]

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
# PostgreSQL hands out event ids before commit, so a transaction may commit an id below
# the cursor after the cursor passed it. Recent events are scanned again; the unique
# (webhook_id, event_id) makes that harmless.
_LATE_COMMIT_WINDOW = timedelta(seconds=30)
_INSERT_DELIVERY_IGNORE = IgnoringInserts(
    WebhookDeliveryRow, lambda insert: insert.returning(WebhookDeliveryRow.id)
)


@dataclass(frozen=True)
class WebhookRecord:
    """A webhook as its owner sees it; the secret is not part of it."""

    id: str
    user_id: str
    task_id: str | None
    url: str
    event_types: list[str]
    created_at: datetime
    active: bool
    last_event_id: int


@dataclass(frozen=True)
class DeliveryRecord:
    """One event for one webhook: pending, delivered or failed, with its attempts."""

    id: int
    webhook_id: str
    event_id: int
    task_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery a dispatcher holds a lease on, with what it needs to post it."""

    delivery: DeliveryRecord
    url: str
    event: Event
    event_id: int
    secret: str = field(repr=False)


def event_type_matches(patterns: Sequence[str], event_type: str) -> bool:
    """Whether a webhook with these type filters wants `event_type`.

    No patterns, or `*`, means every type; `task.*` means every type starting `task.`.
    """
    if not patterns:
        return True
    for pattern in patterns:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def _webhook(row: Any) -> WebhookRecord:
    return WebhookRecord(
        id=row.id,
        user_id=row.user_id,
        task_id=row.task_id,
        url=row.url,
        event_types=list(row.event_types or []),
        created_at=row.created_at,
        active=row.active,
        last_event_id=row.last_event_id,
    )


def _delivery(row: Any) -> DeliveryRecord:
    return DeliveryRecord(
        id=row.id,
        webhook_id=row.webhook_id,
        event_id=row.event_id,
        task_id=row.task_id,
        event_type=row.event_type,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
    )


class WebhookRepository:
    """Create, list and delete webhooks; queue, claim and record their deliveries."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- webhooks -----------------------------------------------------------------

    def create(
        self,
        *,
        user_id: str,
        url: str,
        secret: str,
        task_id: str | None = None,
        event_types: Sequence[str] = (),
    ) -> WebhookRecord:
        """Store a webhook. One for a task gets that task's events from its first one on;
        one for a user gets the user's events from now on."""
        with self._engine.begin() as connection:
            start = 0
            if task_id is None:
                start = connection.execute(select(func.max(EventRow.id))).scalar() or 0
            values = {
                "id": uuid.uuid4().hex,
                "user_id": user_id,
                "task_id": task_id,
                "url": url,
                "secret": secret,
                "event_types": list(event_types),
                "created_at": datetime.now(UTC),
                "active": True,
                "last_event_id": start,
            }
            connection.execute(insert(WebhookRow).values(**values))
        return _webhook(WebhookRow(**values))

    def get(self, webhook_id: str) -> WebhookRecord | None:
        """The webhook with this id, if any."""
        with self._engine.connect() as connection:
            row = connection.execute(
                select(WebhookRow).where(WebhookRow.id == webhook_id)
            ).one_or_none()
        return _webhook(row) if row is not None else None

    def list(self, *, user_id: str | None = None) -> list[WebhookRecord]:
        """Webhooks, newest first; one user's when `user_id` is given."""
        query = select(WebhookRow).order_by(WebhookRow.created_at.desc(), WebhookRow.id)
        if user_id is not None:
            query = query.where(WebhookRow.user_id == user_id)
        with self._engine.connect() as connection:
            return [_webhook(row) for row in connection.execute(query)]

    def delete(self, webhook_id: str) -> bool:
        """Delete a webhook with its delivery log (and its secret); False if there was none.

        The secret is overwritten first and the old page versions erased after, so it
        is not left readable in the database file or its log (`store.erasure`).
        """
        with self._engine.begin() as connection:
            connection.execute(
                update(WebhookRow).where(WebhookRow.id == webhook_id).values(secret="")
            )
            connection.execute(
                delete(WebhookDeliveryRow).where(WebhookDeliveryRow.webhook_id == webhook_id)
            )
            deleted = connection.execute(delete(WebhookRow).where(WebhookRow.id == webhook_id))
        if deleted.rowcount > 0:
            erase_old_versions(self._engine)
        return deleted.rowcount > 0

    # -- queueing -----------------------------------------------------------------

    def enqueue(self, *, batch: int = 500) -> int:
        """Queue a delivery for each new event every active webhook wants; how many."""
        now = datetime.now(UTC)
        with self._engine.connect() as connection:
            newest, newest_time = connection.execute(
                select(func.max(EventRow.id), func.max(EventRow.time))
            ).one()
            hooks = [
                _webhook(row)
                for row in connection.execute(select(WebhookRow).where(WebhookRow.active.is_(True)))
            ]
            late_commits = connection.dialect.name == "postgresql"
        if newest is None:
            return 0
        # Idle webhooks cost no transaction (and take no SQLite write lock).
        recent = late_commits and newest_time >= now - _LATE_COMMIT_WINDOW
        return sum(
            self._enqueue_one(hook, newest, batch, late_commits=late_commits)
            for hook in hooks
            if newest > hook.last_event_id or recent
        )

    def _enqueue_one(
        self, hook: WebhookRecord, newest: int, batch: int, *, late_commits: bool
    ) -> int:
        now = datetime.now(UTC)
        with self._engine.begin() as connection:
            query = self._events_of(hook).where(
                EventRow.id > hook.last_event_id, EventRow.id <= newest
            )
            rows = list(connection.execute(query.order_by(EventRow.id).limit(batch)))
            # Fewer than a batch: every event up to `newest` was seen, wanted or not.
            cursor = rows[-1].id if len(rows) == batch else newest
            if late_commits:
                since = max(now - _LATE_COMMIT_WINDOW, hook.created_at)
                late = self._events_of(hook).where(
                    EventRow.id <= hook.last_event_id, EventRow.time >= since
                )
                rows.extend(connection.execute(late))
            wanted = [row for row in rows if event_type_matches(hook.event_types, row.type)]
            queued = self._insert_deliveries(connection, hook.id, wanted, now)
            if cursor > hook.last_event_id:
                connection.execute(
                    update(WebhookRow)
                    .where(WebhookRow.id == hook.id, WebhookRow.last_event_id < cursor)
                    .values(last_event_id=cursor)
                )
        return queued

    @staticmethod
    def _events_of(hook: WebhookRecord) -> Any:
        query = select(EventRow.id, EventRow.task_id, EventRow.type)
        if hook.task_id is not None:
            return query.where(EventRow.task_id == hook.task_id)
        return query.join(TaskRow, TaskRow.task_id == EventRow.task_id).where(
            TaskRow.user_id == hook.user_id
        )

    @staticmethod
    def _insert_deliveries(
        connection: Connection, webhook_id: str, rows: Sequence[Any], now: datetime
    ) -> int:
        if not rows:
            return 0
        values = [
            {
                "webhook_id": webhook_id,
                "event_id": row.id,
                "task_id": row.task_id,
                "event_type": row.type,
                "status": PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for row in rows
        ]
        inserted = connection.execute(_INSERT_DELIVERY_IGNORE[connection.dialect.name], values)
        return len(inserted.all())

    # -- delivering ---------------------------------------------------------------

    def due_webhooks(self, now: datetime, *, limit: int = 100) -> builtins.list[str]:
        """Ids of webhooks with a pending delivery due by `now`."""
        query = (
            select(WebhookDeliveryRow.webhook_id)
            .where(WebhookDeliveryRow.status == PENDING, WebhookDeliveryRow.next_attempt_at <= now)
            .group_by(WebhookDeliveryRow.webhook_id)
            .order_by(func.min(WebhookDeliveryRow.next_attempt_at))
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [str(webhook_id) for webhook_id in connection.execute(query).scalars()]

    def claim_next(
        self, webhook_id: str, now: datetime, *, lease_seconds: float
    ) -> ClaimedDelivery | None:
        """The webhook's oldest due delivery, leased for `lease_seconds`; None if none is due.

        The lease pushes `next_attempt_at` forward, so another dispatcher does not post
        the same delivery meanwhile; a dispatcher that dies leaves it due again later.
        """
        query = (
            select(
                WebhookDeliveryRow,
                WebhookRow.url.label("hook_url"),
                WebhookRow.secret.label("hook_secret"),
            )
            .join(WebhookRow, WebhookRow.id == WebhookDeliveryRow.webhook_id)
            .where(
                WebhookDeliveryRow.webhook_id == webhook_id,
                WebhookDeliveryRow.status == PENDING,
                WebhookDeliveryRow.next_attempt_at <= now,
            )
            .order_by(WebhookDeliveryRow.next_attempt_at, WebhookDeliveryRow.id)
            .limit(1)
        )
        with self._engine.begin() as connection:
            row = connection.execute(query).one_or_none()
            if row is None:
                return None
            event = connection.execute(select(EventRow).where(EventRow.id == row.event_id)).one()
            claimed = connection.execute(
                update(WebhookDeliveryRow)
                .where(
                    WebhookDeliveryRow.id == row.id,
                    WebhookDeliveryRow.status == PENDING,
                    WebhookDeliveryRow.next_attempt_at == row.next_attempt_at,
                )
                .values(next_attempt_at=now + timedelta(seconds=lease_seconds))
            )
        if claimed.rowcount != 1:
            return None  # another dispatcher took it
        return ClaimedDelivery(
            delivery=_delivery(row),
            url=row.hook_url,
            secret=row.hook_secret,
            event_id=event.id,
            event=Event(
                type=event.type,
                task_id=event.task_id,
                run_id=event.run_id,
                seq=event.seq,
                time=event.time,
                payload=event.payload,
            ),
        )

    def release(self, delivery_id: int, at: datetime) -> None:
        """Give back a claimed delivery that was not attempted: due again at `at`."""
        with self._engine.begin() as connection:
            connection.execute(
                update(WebhookDeliveryRow)
                .where(WebhookDeliveryRow.id == delivery_id, WebhookDeliveryRow.status == PENDING)
                .values(next_attempt_at=at)
            )

    def record_delivered(self, delivery_id: int, *, status_code: int, at: datetime) -> None:
        """The receiver accepted the delivery."""
        self._record(
            delivery_id,
            status=DELIVERED,
            last_status_code=status_code,
            last_error=None,
            delivered_at=at,
            next_attempt_at=at,
        )

    def record_failure(
        self,
        delivery_id: int,
        *,
        status_code: int | None,
        error: str,
        retry_at: datetime | None,
        at: datetime,
    ) -> None:
        """An attempt failed: try again at `retry_at`, or give up when it is None."""
        self._record(
            delivery_id,
            status=PENDING if retry_at is not None else FAILED,
            last_status_code=status_code,
            last_error=error,
            next_attempt_at=retry_at or at,
        )

    def _record(self, delivery_id: int, **values: Any) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(WebhookDeliveryRow)
                .where(WebhookDeliveryRow.id == delivery_id)
                .values(attempts=WebhookDeliveryRow.attempts + 1, **values)
            )

    def deliveries(
        self, webhook_id: str, *, status: str | None = None, limit: int = 100
    ) -> builtins.list[DeliveryRecord]:
        """A webhook's delivery log, newest event first."""
        query = (
            select(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.webhook_id == webhook_id)
            .order_by(WebhookDeliveryRow.event_id.desc())
            .limit(limit)
        )
        if status is not None:
            query = query.where(WebhookDeliveryRow.status == status)
        with self._engine.connect() as connection:
            return [_delivery(row) for row in connection.execute(query)]
