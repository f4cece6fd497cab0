"""A circuit breaker per provider: stop calling a provider that keeps failing, then probe it.

    closed ── failure_threshold consecutive failures ──▶ open
    open ──── cooldown_seconds pass ───────────────────▶ half_open (one trial call)
    half_open ── the trial succeeds ───────────────────▶ closed
    half_open ── the trial fails ──────────────────────▶ open (the cool-down restarts)

Every call `allow()` lets through must be reported with `record_success()`,
`record_failure()`, or `release()` when it ended without a verdict on the provider (refused
by a rate limit, cancelled); an unreported trial keeps the breaker half open and refusing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from intelligent_office.limits import MAX_RETRY_DELAY_SECONDS

__all__ = ["BreakerSettings", "BreakerState", "CircuitBreaker"]


class BreakerSettings(BaseModel):
    """When a provider's circuit opens, and for how long."""

    model_config = ConfigDict(extra="forbid")

    failure_threshold: int = Field(
        default=5, ge=1, description="Consecutive failed calls that open the circuit."
    )
    cooldown_seconds: float = Field(
        default=30.0,
        gt=0,
        le=MAX_RETRY_DELAY_SECONDS,
        allow_inf_nan=False,
        description="How long the circuit stays open before one trial call.",
    )


class BreakerState(StrEnum):
    """Closed lets calls through, open refuses them, half_open lets one trial call through."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Tracks one provider's consecutive failures and decides whether to call it.

    Thread-safe: every method takes a `threading.Lock` and none waits.
    """

    def __init__(
        self,
        provider: str,
        settings: BreakerSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provider = provider
        self.settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_in_flight = False

    @property
    def state(self) -> BreakerState:
        """The state now; an open circuit whose cool-down has passed is half open."""
        with self._lock:
            return self._current_state()

    @property
    def failures(self) -> int:
        """Consecutive failures since the last success."""
        with self._lock:
            return self._failures

    def allow(self) -> bool:
        """Whether a call may go ahead; in half_open, True for one trial call at a time."""
        with self._lock:
            state = self._current_state()
            if state is BreakerState.CLOSED:
                return True
            if state is BreakerState.HALF_OPEN and not self._trial_in_flight:
                self._trial_in_flight = True
                return True
            return False

    def record_success(self) -> None:
        """A call succeeded: close the circuit and forget earlier failures."""
        with self._lock:
            self._state = BreakerState.CLOSED
            self._failures = 0
            self._trial_in_flight = False

    def record_failure(self) -> None:
        """A call failed: open at the threshold, or re-open when it was the trial call."""
        with self._lock:
            self._failures += 1
            state = self._current_state()
            if state is BreakerState.HALF_OPEN or (
                state is BreakerState.CLOSED and self._failures >= self.settings.failure_threshold
            ):
                self._open()
            # Already open: a call let through before the circuit opened failed late; the
            # cool-down keeps running from when the circuit opened.

    def release(self) -> None:
        """An allowed call ended without a verdict (never sent, or cancelled): free the trial
        it may hold, counting neither a success nor a failure."""
        with self._lock:
            self._trial_in_flight = False

    def retry_in(self) -> float:
        """Seconds until a call may be tried again; 0 when `allow()` would say yes.

        While a trial call is in flight there is no telling; the answer is then the
        cool-down, as long as a failed trial would keep the circuit open.
        """
        with self._lock:
            state = self._current_state()
            if state is BreakerState.CLOSED:
                return 0.0
            if state is BreakerState.HALF_OPEN:
                return self.settings.cooldown_seconds if self._trial_in_flight else 0.0
            return max(0.0, self._opened_at + self.settings.cooldown_seconds - self._clock())

    def _current_state(self) -> BreakerState:
        if (
            self._state is BreakerState.OPEN
            and self._clock() - self._opened_at >= self.settings.cooldown_seconds
        ):
            self._state = BreakerState.HALF_OPEN
            self._trial_in_flight = False
        return self._state

    def _open(self) -> None:
        self._state = BreakerState.OPEN
        self._opened_at = self._clock()
        self._trial_in_flight = False
