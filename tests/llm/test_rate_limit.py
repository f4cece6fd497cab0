"""Rate limits: token buckets with reservations, wait timeouts, and the concurrency cap.

Most tests run on virtual time: a fake clock, and a fake `sleep` that wakes sleepers in
order and moves the clock to each one's wake time once every task is blocked.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
import time
from collections.abc import Coroutine
from typing import Any

import pytest
from pydantic import ValidationError

from intelligent_office.errors import TransientError
from intelligent_office.llm.rate_limit import (
    ProviderRateLimiter,
    RateLimitExceeded,
    RateLimits,
    TokenBucket,
)

EPSILON = 1e-6


class VirtualTime:
    """A fake clock and `sleep`: `run` advances the clock from one wake time to the next."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._order), future))
        await future

    async def run(self, *calls: Coroutine[Any, Any, Any]) -> list[Any]:
        """Run the calls to the end; each one's result, or the exception it raised."""
        tasks = [asyncio.ensure_future(call) for call in calls]
        while True:
            for _ in range(10):  # let every woken task run on to its next sleep
                await asyncio.sleep(0)
            if all(task.done() for task in tasks):
                return [task.exception() or task.result() for task in tasks]
            assert self._sleepers, "a task waits on something other than the fake sleep"
            wake, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, wake)
            future.set_result(None)


def limiter_on(virtual: VirtualTime, **limits: Any) -> ProviderRateLimiter:
    return ProviderRateLimiter("openai", RateLimits(**limits), clock=virtual, sleep=virtual.sleep)


async def start_times(
    virtual: VirtualTime, limiter: ProviderRateLimiter, callers: int, tokens: int = 0
) -> list[float]:
    starts: list[float] = []

    async def call() -> None:
        async with limiter.slot(tokens):
            starts.append(virtual())

    results = await virtual.run(*(call() for _ in range(callers)))
    assert results == [None] * callers
    return sorted(starts)


def assert_rate_holds(starts: list[float], burst: float, per_second: float) -> None:
    """In every window [s, s + t] from a start s, at most burst + per_second * t calls start."""
    for i, first in enumerate(starts):
        for j in range(i, len(starts)):
            span = starts[j] - first
            assert j - i + 1 <= burst + per_second * span + EPSILON, (first, starts[j], j - i + 1)


# --- the token bucket ------------------------------------------------------------------------


def test_bucket_lets_its_capacity_through_then_refills_at_its_rate() -> None:
    virtual = VirtualTime()
    bucket = TokenBucket(capacity=2, per_second=4, clock=virtual)
    assert bucket.wait_for(2) == 0
    bucket.take(1)
    bucket.take(1)
    assert bucket.wait_for(1) == pytest.approx(0.25)
    bucket.take(1)
    assert bucket.tokens == pytest.approx(-1)
    assert bucket.wait_for(1) == pytest.approx(0.5)
    virtual.now = 10
    assert bucket.tokens == 2  # never more than the capacity


def test_a_reservation_larger_than_the_capacity_waits_for_the_deficit() -> None:
    virtual = VirtualTime()
    bucket = TokenBucket(capacity=10, per_second=1, clock=virtual)
    assert bucket.wait_for(15) == pytest.approx(5)
    bucket.take(15)
    assert bucket.tokens == pytest.approx(-5)
    assert bucket.wait_for(1) == pytest.approx(6)  # one second after the big one starts


def test_a_deferred_take_counts_the_call_when_it_starts() -> None:
    virtual = VirtualTime()
    bucket = TokenBucket(capacity=1, per_second=1, clock=virtual)
    bucket.take(1, wait=100)  # another bucket held the call back 100 s
    assert bucket.wait_for(1) == pytest.approx(101)


def test_bucket_refuses_a_zero_rate() -> None:
    with pytest.raises(ValueError, match="positive"):
        TokenBucket(capacity=1, per_second=0, clock=time.monotonic)


# --- request and token limits ----------------------------------------------------------------


async def test_requests_per_minute_holds_for_concurrent_callers() -> None:
    virtual = VirtualTime()
    limiter = limiter_on(virtual, requests_per_minute=600, burst=2)
    starts = await start_times(virtual, limiter, callers=50)
    assert_rate_holds(starts, burst=2, per_second=10)
    assert starts[:2] == [0, 0]
    assert starts[-1] - starts[0] == pytest.approx((50 - 2) / 10)


async def test_without_burst_a_request_bucket_holds_its_whole_limit() -> None:
    virtual = VirtualTime()
    limiter = limiter_on(virtual, requests_per_minute=6)
    starts = await start_times(virtual, limiter, callers=9)
    assert starts == pytest.approx([0] * 6 + [10, 20, 30])


async def test_requests_per_hour_holds() -> None:
    virtual = VirtualTime()
    limiter = limiter_on(virtual, requests_per_hour=120, wait_timeout_seconds=3600)
    starts = await start_times(virtual, limiter, callers=130)
    assert_rate_holds(starts, burst=120, per_second=120 / 3600)
    assert starts[119] == 0
    assert starts[-1] == pytest.approx(10 * 30)


async def test_requests_per_day_holds_beside_a_burst_limited_minute() -> None:
    virtual = VirtualTime()
    limiter = limiter_on(
        virtual,
        requests_per_minute=60,
        burst=5,
        requests_per_day=10,
        wait_timeout_seconds=86400,
    )
    starts = await start_times(virtual, limiter, callers=12)
    # Burst shapes the minute; the day's bucket still holds its 10 requests.
    assert starts == pytest.approx([0] * 5 + [1, 2, 3, 4, 5] + [8640, 17280])
    assert_rate_holds(starts, burst=5, per_second=1)
    assert_rate_holds(starts, burst=10, per_second=10 / 86400)


async def test_a_call_held_back_by_one_limit_counts_in_the_others_when_it_starts() -> None:
    virtual = VirtualTime()
    limiter = limiter_on(
        virtual,
        requests_per_minute=60,
        burst=1,
        tokens_per_minute=600,
        wait_timeout_seconds=120,
    )
    starts: list[float] = []

    async def call(tokens: int) -> None:
        async with limiter.slot(tokens):
            starts.append(virtual())

    await virtual.run(call(600), call(600), call(0))
    # The second call waits 60 s for tokens; had the minute's bucket counted it at 0 s
    # instead of 60 s, the third would start beside it, two requests in one instant.
    assert starts == pytest.approx([0, 60, 61])
    assert_rate_holds(starts, burst=1, per_second=1)


async def test_tokens_per_minute_holds() -> None:
    virtual = VirtualTime()
    limiter = limiter_on(virtual, tokens_per_minute=600, wait_timeout_seconds=60)  # 10 a second
    starts = await start_times(virtual, limiter, callers=10, tokens=100)
    assert_rate_holds(starts, burst=6, per_second=0.1)  # in calls of 100 tokens
    assert starts == pytest.approx([0] * 6 + [10, 20, 30, 40])


async def test_settle_refunds_unused_tokens() -> None:
    virtual = VirtualTime()
    limiter = limiter_on(virtual, tokens_per_minute=600)

    async def estimate_high_use_little() -> None:
        async with limiter.slot(600) as reservation:
            reservation.settle(100)

    async def next_call() -> float:
        async with limiter.slot(500) as reservation:
            return reservation.waited_seconds

    assert await virtual.run(estimate_high_use_little(), next_call()) == [None, 0]


async def test_settle_charges_tokens_used_beyond_the_estimate() -> None:
    virtual = VirtualTime()
    limiter = limiter_on(virtual, tokens_per_minute=600)

    async def estimate_low_use_much() -> None:
        async with limiter.slot(100) as reservation:
            reservation.settle(700)
            reservation.settle(700)  # settling the same figure again changes nothing

    async def next_call() -> float:
        async with limiter.slot(100) as reservation:
            return reservation.waited_seconds

    waited = await virtual.run(estimate_low_use_much(), next_call())
    assert waited == [None, pytest.approx(20)]  # 100 tokens over: level -100, needs 200 more


async def test_a_call_larger_than_tokens_per_minute_still_goes_through() -> None:
    virtual = VirtualTime()
    limiter = limiter_on(virtual, tokens_per_minute=600, wait_timeout_seconds=60)

    async def call(tokens: int) -> float:
        async with limiter.slot(tokens) as reservation:
            return reservation.waited_seconds

    assert await virtual.run(call(900), call(10)) == [pytest.approx(30), pytest.approx(31)]


async def test_no_limits_never_wait() -> None:
    async def must_not_sleep(seconds: float) -> None:
        raise AssertionError(f"slept {seconds} s")

    limiter = ProviderRateLimiter("openai", RateLimits(), sleep=must_not_sleep)
    for _ in range(100):
        async with limiter.slot(1_000_000) as reservation:
            reservation.settle(2_000_000)
            assert reservation.waited_seconds < 0.1


# --- the wait timeout ------------------------------------------------------------------------


async def test_a_wait_beyond_the_timeout_fails_at_once_reserving_nothing() -> None:
    virtual = VirtualTime()
    limiter = limiter_on(virtual, requests_per_minute=60, burst=1, wait_timeout_seconds=0.5)

    async def call() -> float:
        async with limiter.slot(0) as reservation:
            return reservation.waited_seconds

    first, refused = await virtual.run(call(), call())
    assert first == 0
    assert isinstance(refused, RateLimitExceeded)
    assert isinstance(refused, TransientError) and refused.retryable
    assert virtual.now == 0  # refused without waiting
    message = str(refused)
    assert "openai" in message and "requests_per_minute=60" in message
    assert "1.00 s" in message
    assert "llm.providers.openai.rate_limits.requests_per_minute" in message
    assert (refused.limit, refused.wait_seconds) == ("requests_per_minute=60", 1.0)

    virtual.now = 1.0  # had the refused call reserved, the next one would wait another second
    assert await virtual.run(call()) == [0]


async def test_the_slowest_limit_is_named() -> None:
    virtual = VirtualTime()
    limiter = limiter_on(
        virtual, requests_per_minute=600, tokens_per_minute=60, wait_timeout_seconds=5
    )

    async def call(tokens: int) -> None:
        async with limiter.slot(tokens):
            pass

    _, refused = await virtual.run(call(60), call(10))
    assert isinstance(refused, RateLimitExceeded)
    assert refused.limit == "tokens_per_minute=60"


# --- the concurrency cap ---------------------------------------------------------------------


async def test_concurrent_requests_caps_calls_in_flight() -> None:
    limiter = ProviderRateLimiter("openai", RateLimits(concurrent_requests=3))
    in_flight = 0
    most_in_flight = 0

    async def call() -> None:
        nonlocal in_flight, most_in_flight
        async with limiter.slot(0):
            in_flight += 1
            most_in_flight = max(most_in_flight, in_flight)
            await asyncio.sleep(0.02)
            in_flight -= 1

    began = time.monotonic()
    await asyncio.gather(*(call() for _ in range(10)))
    assert most_in_flight == 3
    assert time.monotonic() - began < 0.5


def test_concurrent_requests_holds_across_threads_and_event_loops() -> None:
    limiter = ProviderRateLimiter("openai", RateLimits(concurrent_requests=2))
    lock = threading.Lock()
    in_flight = 0
    most_in_flight = 0

    async def call() -> None:
        nonlocal in_flight, most_in_flight
        async with limiter.slot(0):
            with lock:
                in_flight += 1
                most_in_flight = max(most_in_flight, in_flight)
            await asyncio.sleep(0.02)
            with lock:
                in_flight -= 1

    async def calls() -> None:
        await asyncio.gather(*(call() for _ in range(4)))

    threads = [threading.Thread(target=asyncio.run, args=(calls(),)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert most_in_flight == 2
    assert in_flight == 0


async def test_waiting_for_a_concurrency_slot_is_bounded_by_the_timeout() -> None:
    virtual = VirtualTime()
    limiter = limiter_on(virtual, concurrent_requests=1, wait_timeout_seconds=1)

    async def hold() -> None:
        async with limiter.slot(0):
            await virtual.sleep(5)

    async def call() -> None:
        async with limiter.slot(0):
            pass

    held, refused = await virtual.run(hold(), call())
    assert held is None
    assert isinstance(refused, RateLimitExceeded)
    assert refused.limit == "concurrent_requests=1"
    assert refused.wait_seconds == pytest.approx(1)
    assert "concurrent_requests=1" in str(refused)


async def test_a_concurrency_slot_is_released_on_exception() -> None:
    virtual = VirtualTime()
    limiter = limiter_on(virtual, concurrent_requests=1, wait_timeout_seconds=1)

    async def fails() -> None:
        async with limiter.slot(0):
            raise ValueError("the provider said no")

    async def call() -> float:
        async with limiter.slot(0) as reservation:
            return reservation.waited_seconds

    failed, waited = await virtual.run(fails(), call())
    assert isinstance(failed, ValueError)
    assert waited == 0


async def test_a_concurrency_slot_is_released_on_cancellation() -> None:
    limiter = ProviderRateLimiter(
        "openai", RateLimits(concurrent_requests=1, wait_timeout_seconds=0)
    )
    entered = asyncio.Event()

    async def hang() -> None:
        async with limiter.slot(0):
            entered.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(hang())
    await entered.wait()
    with pytest.raises(RateLimitExceeded):
        async with limiter.slot(0):
            pass
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with limiter.slot(0) as reservation:
        assert reservation.waited_seconds < 0.1


# --- settings ----------------------------------------------------------------------------------


def test_limits_are_validated() -> None:
    with pytest.raises(ValidationError, match="burst only shapes request limits"):
        RateLimits(burst=2, tokens_per_minute=1000)
    with pytest.raises(ValidationError):
        RateLimits(requests_per_minute=0)
    with pytest.raises(ValidationError):
        RateLimits(wait_timeout_seconds=-1)
    with pytest.raises(ValidationError):
        RateLimits.model_validate({"rpm": 60})


def test_negative_token_counts_are_refused() -> None:
    limiter = ProviderRateLimiter("openai", RateLimits())
    with pytest.raises(ValueError, match="estimated_tokens"):
        limiter.slot(-1)
