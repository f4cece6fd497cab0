"""Per-provider rate limits: token buckets with reservations, and a cap on calls in flight.

A call asks `ProviderRateLimiter.slot(estimated_tokens)` for a slot. The limiter works out
how long the call must wait for every configured limit, refuses at once when that is longer
than `wait_timeout_seconds` (reserving nothing), and otherwise reserves in every bucket
before it sleeps, so callers that arrive together queue in order and never exceed the rate.
Once the response says how many tokens the call really used, `Reservation.settle` corrects
the tokens-per-minute bucket.

The limiter is pure bookkeeping: time comes from an injected clock and waiting from an
injected `sleep`, so tests run on a fake clock.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from intelligent_office.errors import TransientError

__all__ = [
    "ProviderRateLimiter",
    "RateLimitExceeded",
    "RateLimits",
    "Reservation",
    "TokenBucket",
]

# How often a caller waiting for a concurrency slot looks again. See `_acquire_concurrency`.
_CONCURRENCY_POLL_SECONDS = 0.01


class RateLimits(BaseModel):
    """The limits one provider sets, as configured under `llm.providers.<name>.rate_limits`."""

    model_config = ConfigDict(extra="forbid")

    requests_per_minute: int | None = Field(
        default=None, ge=1, description="Most requests started per minute (None: no limit)."
    )
    requests_per_hour: int | None = Field(
        default=None, ge=1, description="Most requests started per hour (None: no limit)."
    )
    requests_per_day: int | None = Field(
        default=None, ge=1, description="Most requests started per day (None: no limit)."
    )
    tokens_per_minute: int | None = Field(
        default=None,
        ge=1,
        description="Most tokens (prompt and completion) per minute (None: no limit).",
    )
    concurrent_requests: int | None = Field(
        default=None, ge=1, description="Most requests in flight at once (None: no limit)."
    )
    burst: int | None = Field(
        default=None,
        ge=1,
        description=(
            "Most requests let through back to back by the shortest configured request limit "
            "(per minute, else per hour, else per day); longer windows keep their own limit as "
            "their burst. None: the limit itself."
        ),
    )
    wait_timeout_seconds: float = Field(
        default=30.0,
        ge=0,
        description="How long a call may wait for a slot before it fails with RateLimitExceeded.",
    )

    @model_validator(mode="after")
    def _burst_needs_a_request_limit(self) -> Self:
        if self.burst is not None and not _request_limits(self):
            raise ValueError(
                "burst only shapes request limits: set requests_per_minute, requests_per_hour "
                "or requests_per_day, or remove burst"
            )
        return self


class RateLimitExceeded(TransientError):
    """A call would have waited longer than `wait_timeout_seconds` for a provider's limit.

    Attributes:
        provider: the provider whose limit is full.
        limit: the full limit as configured, e.g. `requests_per_minute=60`.
        wait_seconds: how long the call would have had to wait, or, for
            `concurrent_requests`, how long it waited in vain.
    """

    def __init__(
        self,
        provider: str,
        limit: str,
        wait_seconds: float,
        wait_timeout_seconds: float,
        *,
        waited: bool = False,
    ) -> None:
        if waited:
            how_long = f"the call waited {wait_seconds:.2f} s for a free slot, up to"
        else:
            how_long = f"the call would have to wait {wait_seconds:.2f} s, more than"
        setting = limit.partition("=")[0]
        super().__init__(
            f"{provider}: rate limit {limit} is full: {how_long} "
            f"wait_timeout_seconds={wait_timeout_seconds:g}. Raise "
            f"llm.providers.{provider}.rate_limits.{setting} or .wait_timeout_seconds, "
            "or retry later."
        )
        self.provider = provider
        self.limit = limit
        self.wait_seconds = wait_seconds


class TokenBucket:
    """A token bucket that hands out reservations: its level may go negative.

    It holds at most `capacity` tokens and gains `per_second` tokens a second. Taking more
    than it holds is allowed: the level goes negative and the reservation starts once the
    deficit has refilled, so even a reservation larger than `capacity` goes through in time
    instead of waiting forever. Later reservations queue behind earlier ones.

    Not thread-safe on its own: `ProviderRateLimiter` guards its buckets with a lock.
    """

    def __init__(self, capacity: float, per_second: float, clock: Callable[[], float]) -> None:
        if capacity <= 0 or per_second <= 0:
            raise ValueError(
                f"a token bucket needs a positive capacity and refill rate, "
                f"not capacity={capacity}, per_second={per_second}"
            )
        self.capacity = capacity
        self.per_second = per_second
        self._clock = clock
        # When the bucket will be full again if nothing more is taken. Keeping this one
        # instant instead of (level, timestamp) lets a reservation start in the future.
        self._full_at = clock()

    @property
    def tokens(self) -> float:
        """The level now, net of every reservation made (negative while callers queue)."""
        return self._level(self._clock())

    def wait_for(self, amount: float) -> float:
        """Seconds a reservation of `amount` tokens made now would wait (0: it may start now)."""
        return max(0.0, (amount - self._level(self._clock())) / self.per_second)

    def take(self, amount: float, *, wait: float = 0.0) -> None:
        """Reserve `amount` tokens for a call starting in `wait` seconds, or as soon as the
        bucket allows if that is later.

        Several buckets reserve for one call with the longest of their waits, so each counts
        the call when it really starts.
        """
        now = self._clock()
        start = now + max(wait, self.wait_for(amount))
        self._full_at = max(
            max(self._full_at, now) + amount / self.per_second,
            # The start already waited out whatever `amount` exceeds the capacity by.
            start + min(amount, self.capacity) / self.per_second,
        )

    def adjust(self, amount: float) -> None:
        """Charge `amount` more tokens, or refund them when `amount` is negative."""
        now = self._clock()
        self._full_at = max(self._full_at, now) + amount / self.per_second

    def _level(self, now: float) -> float:
        return self.capacity - max(0.0, self._full_at - now) * self.per_second


class Reservation:
    """A slot granted by `ProviderRateLimiter.slot`.

    Attributes:
        estimated_tokens: the tokens reserved for the call.
        waited_seconds: how long the caller waited for the slot, rate limits and
            concurrency together (for metrics and events).
    """

    def __init__(
        self, limiter: ProviderRateLimiter, estimated_tokens: int, waited_seconds: float
    ) -> None:
        self.estimated_tokens = estimated_tokens
        self.waited_seconds = waited_seconds
        self._limiter = limiter
        self._charged_tokens = estimated_tokens

    def settle(self, actual_tokens: int) -> None:
        """Correct the tokens-per-minute limit by what the call really used.

        Refunds when the call used fewer tokens than estimated and charges the difference
        when it used more. Settling again with a new figure corrects the earlier one.
        """
        if actual_tokens < 0:
            raise ValueError(f"actual_tokens must be 0 or more, not {actual_tokens}")
        self._limiter._charge_tokens(actual_tokens - self._charged_tokens)
        self._charged_tokens = actual_tokens


class ProviderRateLimiter:
    """Keeps one provider's calls within its `RateLimits`.

    Safe to share across threads and event loops: the bookkeeping sits behind a
    `threading.Lock` that is never held across an `await`, and nothing is bound to a loop.
    """

    def __init__(
        self,
        provider: str,
        limits: RateLimits,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.provider = provider
        self.limits = limits
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._in_flight = 0
        # Each bucket with the limit its error names, e.g. "requests_per_minute=60".
        self._request_buckets: list[tuple[str, TokenBucket]] = []
        for index, (name, limit, window) in enumerate(_request_limits(limits)):
            # Burst shapes only the shortest window: a per-day bucket holding `burst`
            # requests would space calls a day / limit apart, far below the per-minute rate.
            capacity = limits.burst if index == 0 and limits.burst is not None else limit
            bucket = TokenBucket(capacity, limit / window, clock)
            self._request_buckets.append((f"{name}={limit}", bucket))
        self._token_bucket: TokenBucket | None = None
        if limits.tokens_per_minute is not None:
            self._token_bucket = TokenBucket(
                limits.tokens_per_minute, limits.tokens_per_minute / 60.0, clock
            )

    def slot(self, estimated_tokens: int) -> AbstractAsyncContextManager[Reservation]:
        """Wait for a slot for one call expected to use `estimated_tokens` tokens.

        Raises:
            RateLimitExceeded: the wait would be longer than `wait_timeout_seconds`;
                nothing is reserved then.
        """
        if estimated_tokens < 0:
            raise ValueError(f"estimated_tokens must be 0 or more, not {estimated_tokens}")
        return self._slot(estimated_tokens)

    @asynccontextmanager
    async def _slot(self, estimated_tokens: int) -> AsyncIterator[Reservation]:
        started = self._clock()
        wait = self._reserve(estimated_tokens)
        if wait > 0:
            # Cancelled here, the reservation stays spent: erring towards fewer calls is safe.
            await self._sleep(wait)
        await self._acquire_concurrency(started)
        try:
            yield Reservation(self, estimated_tokens, self._clock() - started)
        finally:
            self._release_concurrency()

    def _reserve(self, estimated_tokens: int) -> float:
        """Reserve in every bucket at once and return the wait, or raise reserving nothing."""
        buckets = [(limit, bucket, 1) for limit, bucket in self._request_buckets]
        if self._token_bucket is not None:
            limit = f"tokens_per_minute={self.limits.tokens_per_minute}"
            buckets.append((limit, self._token_bucket, estimated_tokens))
        if not buckets:
            return 0.0
        with self._lock:
            waits = [(bucket.wait_for(amount), limit) for limit, bucket, amount in buckets]
            wait, fullest = max(waits)
            if wait > self.limits.wait_timeout_seconds:
                raise RateLimitExceeded(
                    self.provider, fullest, wait, self.limits.wait_timeout_seconds
                )
            for _, bucket, amount in buckets:
                bucket.take(amount, wait=wait)
        return wait

    async def _acquire_concurrency(self, started: float) -> None:
        """Take a concurrency slot, polling for one until the wait timeout runs out.

        Polling every 10 ms rather than an `asyncio.Semaphore`: a semaphore belongs to the
        event loop that first waits on it, and one limiter serves every loop and thread that
        calls the provider; a `threading.Semaphore` would block the loop. Waiters are not
        served in arrival order, which a cap on calls in flight does not need.
        """
        cap = self.limits.concurrent_requests
        if cap is None:
            return
        while True:
            with self._lock:
                if self._in_flight < cap:
                    self._in_flight += 1
                    return
            waited = self._clock() - started
            remaining = self.limits.wait_timeout_seconds - waited
            if remaining <= 0:
                raise RateLimitExceeded(
                    self.provider,
                    f"concurrent_requests={cap}",
                    waited,
                    self.limits.wait_timeout_seconds,
                    waited=True,
                )
            await self._sleep(min(_CONCURRENCY_POLL_SECONDS, remaining))

    def _release_concurrency(self) -> None:
        if self.limits.concurrent_requests is None:
            return
        with self._lock:
            self._in_flight -= 1

    def _charge_tokens(self, amount: int) -> None:
        if self._token_bucket is None or amount == 0:
            return
        with self._lock:
            self._token_bucket.adjust(amount)


def _request_limits(limits: RateLimits) -> list[tuple[str, int, float]]:
    """(name, limit, window in seconds) of each configured request limit, shortest first."""
    windows = (
        ("requests_per_minute", limits.requests_per_minute, 60.0),
        ("requests_per_hour", limits.requests_per_hour, 3600.0),
        ("requests_per_day", limits.requests_per_day, 86400.0),
    )
    return [(name, limit, window) for name, limit, window in windows if limit is not None]
