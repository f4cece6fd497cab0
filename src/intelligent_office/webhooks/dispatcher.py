"""The webhook dispatcher: queues new events as deliveries and posts them, signed.

It runs beside the workers (in `office serve`'s lifespan, or on its own with
`run(stop)`), reads only the store, and never blocks a task: a run emits its events
whatever happens here. Each webhook has its own lane with one delivery in flight, so a
slow or dead receiver delays only its own deliveries. A failed attempt is retried
with exponential backoff and jitter until `max_attempts`, then marked failed. Each
attempt looks the receiver's name up once and posts to the address it checked
(`destinations.pin`).
Deliveries are rows, so they survive a restart.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from datetime import UTC, datetime, timedelta

import httpx2

from intelligent_office.errors import ToolError
from intelligent_office.observability.plain_structlog import lazy_logger
from intelligent_office.store import Store
from intelligent_office.store.webhooks import ClaimedDelivery
from intelligent_office.tools.http import system_resolver
from intelligent_office.webhooks.destinations import (
    DestinationRefused,
    PinnedDestination,
    Resolver,
    pin,
)
from intelligent_office.webhooks.settings import WebhookSettings
from intelligent_office.webhooks.signing import SIGNATURE_HEADER, signature_header

__all__ = ["WebhookDispatcher", "delivery_body"]

log = lazy_logger(__name__)

_USER_AGENT = "IntelligentOffice-Webhooks/1"
_ERROR_CHARS = 500


def delivery_body(claimed: ClaimedDelivery) -> bytes:
    """The JSON body posted for a delivery: the event with its id."""
    event = claimed.event
    document = {
        "id": claimed.event_id,
        "type": event.type,
        "task_id": event.task_id,
        "run_id": event.run_id,
        "seq": event.seq,
        "time": event.time.isoformat(),
        "payload": event.payload,
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class WebhookDispatcher:
    """Delivers stored events to webhooks until stopped."""

    def __init__(
        self,
        store: Store,
        settings: WebhookSettings,
        *,
        client: httpx2.AsyncClient | None = None,
        rng: random.Random | None = None,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.store = store
        self.settings = settings
        self._client = client
        self._resolver = resolver
        self._rng = rng or random.Random()
        self._lanes: dict[str, asyncio.Task[None]] = {}

    async def run(self, stop: asyncio.Event) -> None:
        """Queue and deliver until `stop` is set; lanes in flight are then cancelled."""
        own_client = self._client is None
        # trust_env=False: no proxy from the environment may carry a pinned request elsewhere.
        client = self._client or httpx2.AsyncClient(
            timeout=self.settings.timeout_seconds, follow_redirects=False, trust_env=False
        )
        try:
            while not stop.is_set():
                try:
                    await self.tick(client)
                except Exception:  # a database hiccup must not end delivery for good
                    log.exception("webhook dispatch pass failed")
                try:
                    await asyncio.wait_for(stop.wait(), timeout=self.settings.poll_seconds)
                except TimeoutError:
                    pass
        finally:
            lanes = list(self._lanes.values())
            for lane in lanes:
                lane.cancel()
            await asyncio.gather(*lanes, return_exceptions=True)
            if own_client:
                await client.aclose()

    async def tick(self, client: httpx2.AsyncClient) -> None:
        """One pass: queue new events, then open a lane for each webhook with due work."""
        await asyncio.to_thread(self.store.webhooks.enqueue)
        free = self.settings.max_concurrent_webhooks - len(self._lanes)
        if free <= 0:
            return
        due = await asyncio.to_thread(
            self.store.webhooks.due_webhooks, datetime.now(UTC), limit=free + len(self._lanes)
        )
        for webhook_id in due:
            if (
                webhook_id in self._lanes
                or len(self._lanes) >= self.settings.max_concurrent_webhooks
            ):
                continue
            self._lanes[webhook_id] = asyncio.create_task(
                self._lane(client, webhook_id), name=f"webhook-{webhook_id}"
            )

    async def _lane(self, client: httpx2.AsyncClient, webhook_id: str) -> None:
        """Post the webhook's due deliveries one after another until none is due."""
        try:
            while True:
                claimed = await self._claim(webhook_id)
                if claimed is None:
                    return
                try:
                    await self.deliver(client, claimed)
                except asyncio.CancelledError:
                    await self._release(claimed)
                    raise
        except Exception:  # the next pass opens the lane again
            log.exception("webhook lane failed", webhook_id=webhook_id)
        finally:
            self._lanes.pop(webhook_id, None)

    async def _claim(self, webhook_id: str) -> ClaimedDelivery | None:
        lease = self.settings.timeout_seconds + 30.0
        claiming = asyncio.ensure_future(
            asyncio.to_thread(
                self.store.webhooks.claim_next, webhook_id, datetime.now(UTC), lease_seconds=lease
            )
        )
        try:
            return await asyncio.shield(claiming)
        except asyncio.CancelledError:
            # Stopping while the claim ran: it may have leased a delivery; give it back.
            claimed = await claiming
            if claimed is not None:
                await self._release(claimed)
            raise

    async def _release(self, claimed: ClaimedDelivery) -> None:
        """Stopping: a claimed delivery is due again now rather than when its lease ends."""
        await asyncio.to_thread(self.store.webhooks.release, claimed.delivery.id, datetime.now(UTC))

    async def deliver(self, client: httpx2.AsyncClient, claimed: ClaimedDelivery) -> bool:
        """Post one delivery and record the outcome; whether the receiver took it."""
        body = delivery_body(claimed)
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": _USER_AGENT,
            SIGNATURE_HEADER: signature_header(claimed.secret, timestamp, body),
            "Office-Event-Id": str(claimed.event_id),
            "Office-Event-Type": claimed.event.type,
            "Office-Webhook-Id": claimed.delivery.webhook_id,
        }
        try:
            # One lookup: the request goes to the very address that was checked.
            target = await asyncio.to_thread(
                pin,
                claimed.url,
                allow_private=self.settings.allow_private_addresses,
                resolver=self._resolver,
            )
        except DestinationRefused as refused:
            return await self._refuse(claimed, str(refused))
        except ToolError as unresolved:  # DNS may answer next time: a failed attempt
            status_code, error = None, str(unresolved)[:_ERROR_CHARS]
        else:
            status_code, error = await self._post(client, target, body, headers)
        now = datetime.now(UTC)
        webhooks = self.store.webhooks
        delivery = claimed.delivery
        if status_code is not None and 200 <= status_code < 300:
            await asyncio.to_thread(
                webhooks.record_delivered, delivery.id, status_code=status_code, at=now
            )
            return True
        if status_code is not None:
            error = f"the receiver answered HTTP {status_code}"
        attempts = delivery.attempts + 1
        retry_at = None
        if attempts < self.settings.max_attempts:
            retry_at = now + timedelta(seconds=self.backoff(attempts))
        log.info(
            "webhook delivery failed",
            webhook_id=delivery.webhook_id,
            event_id=claimed.event_id,
            attempt=attempts,
            status_code=status_code,
            error=error,
            gives_up=retry_at is None,
        )
        await asyncio.to_thread(
            webhooks.record_failure,
            delivery.id,
            status_code=status_code,
            error=error,
            retry_at=retry_at,
            at=now,
        )
        return False

    async def _post(
        self,
        client: httpx2.AsyncClient,
        target: PinnedDestination,
        body: bytes,
        headers: dict[str, str],
    ) -> tuple[int | None, str]:
        """POST to the pinned address; the receiver's status, or why there was none."""
        try:
            # Streamed and not read: a receiver's answer body is of no use and may be large.
            async with client.stream(
                "POST",
                target.url,
                content=body,
                headers={**headers, "Host": target.host_header},
                timeout=self.settings.timeout_seconds,
                extensions=target.extensions,
            ) as response:
                return response.status_code, ""
        except httpx2.HTTPError as failure:
            return None, f"{type(failure).__name__}: {failure}"[:_ERROR_CHARS]

    async def _refuse(self, claimed: ClaimedDelivery, problem: str) -> bool:
        """A destination that is not public fails at once, with no retry: it will not change."""
        error = f"refused: {problem} (set webhooks.allow_private_addresses to allow it)"
        log.warning("webhook delivery refused", webhook_id=claimed.delivery.webhook_id, error=error)
        await asyncio.to_thread(
            self.store.webhooks.record_failure,
            claimed.delivery.id,
            status_code=None,
            error=error[:_ERROR_CHARS],
            retry_at=None,
            at=datetime.now(UTC),
        )
        return False

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after `attempts` failed attempts: doubling, capped, plus up to a
        quarter more at random so receivers that come back are not hit all at once."""
        settings = self.settings
        delay: float = min(
            settings.base_delay_seconds * 2.0 ** (attempts - 1), settings.max_delay_seconds
        )
        return delay + self._rng.uniform(0, delay / 4)
