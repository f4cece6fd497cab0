"""Per-user rate limits and quotas: a request past one is answered 429 with Retry-After.

Requests per minute is a token bucket per user, kept in memory by the app (a rate
limiter may forget on restart). Concurrent tasks and daily cost are counted in the
store, so they hold across restarts and across server processes.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from intelligent_office.api.auth import CurrentPrincipal, Principal
from intelligent_office.api.state import ApiState
from intelligent_office.settings import ApiSettings

__all__ = [
    "LimitExceeded",
    "RateLimited",
    "RateLimiter",
    "check_task_quotas",
    "rate_limited",
    "spend_request",
]

CONCURRENT_RETRY_SECONDS = 5


class LimitExceeded(HTTPException):
    """A 429 naming the limit, with the seconds to wait in Retry-After."""

    def __init__(self, limit: str, detail: str, retry_after: float) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            detail=f"{limit}: {detail}; retry after {seconds} s",
            headers={"Retry-After": str(seconds)},
        )
        self.limit = limit


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """A token bucket per user: `per_minute` requests a minute, bursting up to that many."""

    per_minute: int
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, user_id: str) -> float:
        """Spend one token; 0 when allowed, else the seconds until a token is back."""
        rate = self.per_minute / 60.0
        now = self.clock()
        # Sync routes run on worker threads: the read-modify-write must not interleave.
        with self._lock:
            bucket = self._buckets.setdefault(user_id, _Bucket(float(self.per_minute), now))
            bucket.tokens = min(
                float(self.per_minute), bucket.tokens + (now - bucket.updated) * rate
            )
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / rate


def spend_request(request: Request, principal: Principal) -> None:
    """Spend one of the user's requests this minute (API or web UI); LimitExceeded if none."""
    limiter: RateLimiter = request.app.state.rate_limiter
    wait = limiter.take(principal.user_id)
    if wait > 0:
        raise LimitExceeded(
            "requests_per_minute",
            f"user {principal.user_id} made more than {limiter.per_minute} requests a minute",
            wait,
        )


async def rate_limited(request: Request, principal: CurrentPrincipal) -> Principal:
    """FastAPI dependency: the caller, after spending one of their requests this minute."""
    spend_request(request, principal)
    return principal


RateLimited = Annotated[Principal, Depends(rate_limited)]


def check_task_quotas(state: ApiState, principal: Principal) -> None:
    """Raise LimitExceeded when the user may not start another task now."""
    limits: ApiSettings = state.settings.api
    active = state.store.usage.active_tasks(principal.user_id)
    if active >= limits.max_concurrent_tasks:
        raise LimitExceeded(
            "max_concurrent_tasks",
            f"user {principal.user_id} has {active} tasks queued or running"
            f" (at most {limits.max_concurrent_tasks}); wait for one to finish or cancel one",
            CONCURRENT_RETRY_SECONDS,
        )
    if limits.daily_cost_usd is None:
        return
    now = datetime.now(UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    spent = state.store.usage.cost_since(principal.user_id, midnight)
    if spent >= limits.daily_cost_usd:
        raise LimitExceeded(
            "daily_cost_usd",
            f"user {principal.user_id} spent ${spent:.4f} on models today"
            f" (at most ${limits.daily_cost_usd:.4f} a UTC day)",
            (midnight + timedelta(days=1) - now).total_seconds(),
        )
