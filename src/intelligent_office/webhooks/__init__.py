"""Webhooks: signed POSTs of a user's or a task's events, retried until delivered.

The repository lives with the other tables in `intelligent_office.store.webhooks`.
"""

from intelligent_office.webhooks.dispatcher import WebhookDispatcher, delivery_body
from intelligent_office.webhooks.settings import WebhookSettings
from intelligent_office.webhooks.signing import (
    SIGNATURE_HEADER,
    new_secret,
    sign,
    signature_header,
    verify,
)

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
