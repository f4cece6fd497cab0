"""Webhooks: signed POSTs of a user's or a task's events, retried until delivered.

The repository lives with the other tables in `intelligent_office.store.webhooks`. The
dispatcher (and its HTTP client) loads on first use, so the settings stay light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from intelligent_office.webhooks.settings import WebhookSettings
from intelligent_office.webhooks.signing import (
    SIGNATURE_HEADER,
    new_secret,
    sign,
    signature_header,
    verify,
)

if TYPE_CHECKING:
    from intelligent_office.webhooks.dispatcher import WebhookDispatcher, delivery_body

__all__ = [
    "SIGNATURE_HEADER",
    "WebhookDispatcher",
    "WebhookSettings",
    "delivery_body",
    "new_secret",
    "sign",
    "signature_header",
    "verify",
]


def __getattr__(name: str) -> Any:
    if name in ("WebhookDispatcher", "delivery_body"):
        return getattr(importlib.import_module("intelligent_office.webhooks.dispatcher"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
