"""WebhookSettings: how hard and how often the dispatcher tries to deliver."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from intelligent_office.limits import (
    MAX_CONCURRENCY,
    MAX_LEASE_SECONDS,
    MAX_REQUEST_TIMEOUT_SECONDS,
    MAX_RETRY_DELAY_SECONDS,
)

__all__ = ["WebhookSettings"]


class WebhookSettings(BaseModel):
    """Delivery attempts, backoff and timeouts of the webhook dispatcher."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=True, description="Run the dispatcher in `office serve`.")
    allow_private_addresses: bool = Field(
        default=False,
        description="Let webhooks reach loopback, private and link-local addresses (off: a"
        " user could otherwise make the server call its own network).",
    )
    max_attempts: int = Field(
        default=8, ge=1, le=50, description="Attempts per delivery before it is marked failed."
    )
    base_delay_seconds: float = Field(
        default=1.0,
        gt=0,
        le=MAX_RETRY_DELAY_SECONDS,
        allow_inf_nan=False,
        description="Wait after the first failed attempt; doubles each time.",
    )
    max_delay_seconds: float = Field(
        default=600.0,
        gt=0,
        le=MAX_RETRY_DELAY_SECONDS,
        allow_inf_nan=False,
        description="The longest wait between two attempts.",
    )
    timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=MAX_REQUEST_TIMEOUT_SECONDS,
        allow_inf_nan=False,
        description="How long one POST may take before it counts as failed.",
    )
    poll_seconds: float = Field(
        default=0.5,
        gt=0,
        le=MAX_LEASE_SECONDS,
        allow_inf_nan=False,
        description="How often new events and due deliveries are looked for.",
    )
    max_concurrent_webhooks: int = Field(
        default=32,
        ge=1,
        le=MAX_CONCURRENCY,
        description="Webhooks delivered to at once (one delivery each at a time).",
    )
