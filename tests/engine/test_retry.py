"""Retry policies: attempts, delays, caps and deterministic jitter."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from intelligent_office.engine import RetryPolicy


def delays(policy: RetryPolicy, key: str = "node/a") -> list[float]:
    return [policy.delay(attempt, key) for attempt in range(1, 7)]


def test_none_makes_one_attempt() -> None:
    policy = RetryPolicy.none()
    assert policy.max_attempts == 1
    assert not policy.allows_retry(1)
    assert RetryPolicy() == policy


def test_none_with_more_attempts_is_rejected() -> None:
    with pytest.raises(ValidationError, match="retry kind 'none' makes exactly one attempt"):
        RetryPolicy(kind="none", max_attempts=3)


def test_allows_retry_until_max_attempts() -> None:
    policy = RetryPolicy.immediate(max_attempts=3)
    assert [policy.allows_retry(n) for n in (1, 2, 3)] == [True, True, False]


def test_immediate_waits_nothing() -> None:
    assert delays(RetryPolicy.immediate()) == [0.0] * 6


def test_constant_waits_the_same() -> None:
    assert delays(RetryPolicy.constant(0.5)) == [0.5] * 6


def test_linear_grows_by_the_delay_and_is_capped() -> None:
    policy = RetryPolicy.linear(2.0, max_delay_seconds=7.0)
    assert delays(policy) == [2.0, 4.0, 6.0, 7.0, 7.0, 7.0]


def test_exponential_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy.exponential(1.0, max_delay_seconds=10.0, jitter=0.0)
    assert delays(policy) == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_exponential_huge_attempts_stay_capped() -> None:
    policy = RetryPolicy.exponential(1.0, max_attempts=100, multiplier=10.0, jitter=0.0)
    assert policy.delay(4000, "node/a") == 60.0


def test_jitter_stays_within_bounds_and_is_deterministic() -> None:
    policy = RetryPolicy.exponential(1.0, max_delay_seconds=10.0, jitter=0.5)
    plain = [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    jittered = delays(policy)
    for delay, ceiling in zip(jittered, plain, strict=True):
        assert ceiling * 0.5 <= delay <= ceiling
    assert jittered != plain
    assert delays(policy) == jittered
    assert delays(policy, key="node/b") != jittered


def test_attempts_start_at_one() -> None:
    with pytest.raises(ValueError, match="attempt numbers start at 1"):
        RetryPolicy.constant(1.0).delay(0, "node/a")


def test_loads_from_yaml_shaped_data() -> None:
    policy = RetryPolicy.model_validate(
        {"kind": "exponential", "max_attempts": 4, "delay_seconds": 0.5, "jitter": 0.2}
    )
    assert policy == RetryPolicy.exponential(0.5, max_attempts=4, jitter=0.2)


@pytest.mark.parametrize(
    "data",
    [{"kind": "sometimes"}, {"kind": "constant", "delay": 1}, {"kind": "linear", "jitter": 2}],
)
def test_rejects_bad_yaml(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RetryPolicy.model_validate(data)
