"""The circuit breaker: opens after consecutive failures, probes with one trial, then closes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from intelligent_office.llm.breaker import BreakerSettings, BreakerState, CircuitBreaker


class FakeClock:
    """A clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def breaker(clock: FakeClock) -> CircuitBreaker:
    return CircuitBreaker(
        "openai", BreakerSettings(failure_threshold=3, cooldown_seconds=10), clock=clock
    )


def state_of(breaker: CircuitBreaker) -> BreakerState:
    """The state, typed so that mypy does not carry one check's narrowing into the next."""
    return breaker.state


def fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        assert breaker.allow()
        breaker.record_failure()


def test_a_new_breaker_is_closed_and_allows_calls(breaker: CircuitBreaker) -> None:
    assert state_of(breaker) is BreakerState.CLOSED
    assert breaker.allow() and breaker.allow()
    assert breaker.retry_in() == 0


def test_opens_after_threshold_consecutive_failures_and_refuses(
    breaker: CircuitBreaker, clock: FakeClock
) -> None:
    fail(breaker, 2)
    assert state_of(breaker) is BreakerState.CLOSED
    fail(breaker, 1)
    assert state_of(breaker) is BreakerState.OPEN
    assert not breaker.allow()
    clock.now += 4
    assert not breaker.allow()
    assert breaker.retry_in() == pytest.approx(6)


def test_success_resets_the_failure_count(breaker: CircuitBreaker) -> None:
    fail(breaker, 2)
    breaker.record_success()
    assert breaker.failures == 0
    fail(breaker, 2)
    assert state_of(breaker) is BreakerState.CLOSED


def test_half_opens_after_the_cooldown_with_exactly_one_trial(
    breaker: CircuitBreaker, clock: FakeClock
) -> None:
    fail(breaker, 3)
    clock.now += 10
    assert state_of(breaker) is BreakerState.HALF_OPEN
    assert breaker.retry_in() == 0
    assert breaker.allow()
    assert not breaker.allow()
    assert not breaker.allow()
    assert breaker.retry_in() > 0
    assert state_of(breaker) is BreakerState.HALF_OPEN


def test_a_failed_trial_reopens_and_restarts_the_cooldown(
    breaker: CircuitBreaker, clock: FakeClock
) -> None:
    fail(breaker, 3)
    clock.now += 15
    assert breaker.allow()
    breaker.record_failure()
    assert state_of(breaker) is BreakerState.OPEN
    assert not breaker.allow()
    assert breaker.retry_in() == pytest.approx(10)
    clock.now += 9.9
    assert not breaker.allow()
    clock.now += 0.1
    assert breaker.allow()


def test_a_successful_trial_closes(breaker: CircuitBreaker, clock: FakeClock) -> None:
    fail(breaker, 3)
    clock.now += 10
    assert breaker.allow()
    breaker.record_success()
    assert state_of(breaker) is BreakerState.CLOSED
    assert breaker.failures == 0
    assert breaker.allow() and breaker.allow()
    fail(breaker, 2)
    assert state_of(breaker) is BreakerState.CLOSED


def test_release_frees_the_trial_without_a_verdict(
    breaker: CircuitBreaker, clock: FakeClock
) -> None:
    fail(breaker, 3)
    clock.now += 10
    assert breaker.allow()
    breaker.release()  # e.g. the trial was refused by a rate limit before it was sent
    assert state_of(breaker) is BreakerState.HALF_OPEN
    assert breaker.failures == 3
    assert breaker.allow()
    assert not breaker.allow()


def test_a_late_failure_while_open_does_not_extend_the_cooldown(
    breaker: CircuitBreaker, clock: FakeClock
) -> None:
    in_flight = [breaker.allow() for _ in range(4)]
    assert all(in_flight)
    for _ in range(3):
        breaker.record_failure()
    clock.now += 5
    breaker.record_failure()  # the fourth call, let through before the circuit opened
    assert breaker.retry_in() == pytest.approx(5)


def test_settings_are_validated() -> None:
    with pytest.raises(ValidationError):
        BreakerSettings(failure_threshold=0)
    with pytest.raises(ValidationError):
        BreakerSettings(cooldown_seconds=0)
    with pytest.raises(ValidationError):
        BreakerSettings.model_validate({"threshold": 3})
