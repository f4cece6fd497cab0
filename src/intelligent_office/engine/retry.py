"""Retry policies: how many attempts a node gets and how long to wait between them.

Only errors whose `retryable` is true are retried (the runtime sets it; see
`intelligent_office.errors.is_retryable`). Delays are pure functions of the policy, the
attempt number and a stable key, so workflow code stays deterministic: jitter comes from
a hash of the key, never from a random number generator.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from intelligent_office.limits import MAX_ATTEMPTS, MAX_RETRY_DELAY_SECONDS, MAX_RETRY_MULTIPLIER

__all__ = ["RetryKind", "RetryPolicy"]

RetryKind = Literal["none", "immediate", "constant", "linear", "exponential"]

# 2**64: turns the first eight bytes of a digest into a fraction in [0, 1).
_FRACTION_SCALE = float(1 << 64)


class RetryPolicy(BaseModel):
    """When to try a failed node again; loadable from YAML (`kind: exponential` ...).

    Delays after failed attempt `n` (1-based), before any cap and jitter:
    none and immediate wait 0 s; constant waits `delay_seconds`; linear waits
    `delay_seconds * n`; exponential waits `delay_seconds * multiplier ** (n - 1)`.
    The result is capped at `max_delay_seconds`, then jitter shortens it by up to
    `jitter` of itself, so a delay never exceeds the cap.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: RetryKind = Field(default="none", description="How the delay grows between attempts.")
    max_attempts: int = Field(
        default=3,
        ge=1,
        le=MAX_ATTEMPTS,
        description="Attempts in total, the first included (1 for kind none).",
    )
    delay_seconds: float = Field(
        default=1.0,
        ge=0,
        le=MAX_RETRY_DELAY_SECONDS,
        allow_inf_nan=False,
        description="The base delay.",
    )
    multiplier: float = Field(
        default=2.0,
        ge=1,
        le=MAX_RETRY_MULTIPLIER,
        allow_inf_nan=False,
        description="Growth factor for exponential.",
    )
    max_delay_seconds: float = Field(
        default=60.0,
        ge=0,
        le=MAX_RETRY_DELAY_SECONDS,
        allow_inf_nan=False,
        description="No delay exceeds this.",
    )
    jitter: float = Field(
        default=0.0,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="Fraction of the delay that jitter may remove.",
    )

    @model_validator(mode="before")
    @classmethod
    def _one_attempt_without_retries(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("kind", "none") != "none":
            return data
        attempts = data.get("max_attempts", 1)
        if attempts != 1:
            raise ValueError(
                f"retry kind 'none' makes exactly one attempt, but max_attempts is {attempts}: "
                "remove max_attempts or choose kind immediate, constant, linear or exponential"
            )
        return {**data, "max_attempts": 1}

    @classmethod
    def none(cls) -> RetryPolicy:
        """One attempt, no retries."""
        return cls(kind="none")

    @classmethod
    def immediate(cls, max_attempts: int = 3) -> RetryPolicy:
        """Retry at once, up to `max_attempts` attempts in total."""
        return cls(kind="immediate", max_attempts=max_attempts, delay_seconds=0.0)

    @classmethod
    def constant(cls, delay_seconds: float, max_attempts: int = 3) -> RetryPolicy:
        """Wait the same `delay_seconds` before every retry."""
        return cls(kind="constant", max_attempts=max_attempts, delay_seconds=delay_seconds)

    @classmethod
    def linear(
        cls, delay_seconds: float, max_attempts: int = 3, max_delay_seconds: float = 60.0
    ) -> RetryPolicy:
        """Wait `delay_seconds * n` after the n-th failed attempt."""
        return cls(
            kind="linear",
            max_attempts=max_attempts,
            delay_seconds=delay_seconds,
            max_delay_seconds=max_delay_seconds,
        )

    @classmethod
    def exponential(
        cls,
        delay_seconds: float = 1.0,
        max_attempts: int = 5,
        *,
        multiplier: float = 2.0,
        max_delay_seconds: float = 60.0,
        jitter: float = 0.0,
    ) -> RetryPolicy:
        """Double (by default) the delay after each failed attempt, capped and jittered."""
        return cls(
            kind="exponential",
            max_attempts=max_attempts,
            delay_seconds=delay_seconds,
            multiplier=multiplier,
            max_delay_seconds=max_delay_seconds,
            jitter=jitter,
        )

    def allows_retry(self, attempt: int) -> bool:
        """Whether another attempt may follow failed attempt `attempt` (1-based)."""
        return attempt < self.max_attempts

    def delay(self, attempt: int, key: str) -> float:
        """Seconds to wait after failed attempt `attempt` (1-based) before the next one.

        Args:
            attempt: the number of the attempt that just failed, from 1.
            key: a stable key for the node (e.g. `node/build`); same key, same jitter.
        """
        if attempt < 1:
            raise ValueError(f"attempt numbers start at 1, got {attempt}")
        base = min(self._base_delay(attempt), self.max_delay_seconds)
        if base <= 0 or self.jitter <= 0:
            return base
        return base * (1.0 - self.jitter * _fraction(f"{key}#{attempt}"))

    def _base_delay(self, attempt: int) -> float:
        if self.kind in ("none", "immediate") or self.delay_seconds == 0:
            return 0.0
        if self.kind == "constant":
            return self.delay_seconds
        if self.kind == "linear":
            return self.delay_seconds * attempt
        try:
            return self.delay_seconds * self.multiplier ** (attempt - 1)
        except OverflowError:
            return math.inf


def _fraction(text: str) -> float:
    """A fraction in [0, 1) derived from `text`: the same text always gives the same value."""
    digest = hashlib.sha256(text.encode()).digest()
    return int.from_bytes(digest[:8], "big") / _FRACTION_SCALE
