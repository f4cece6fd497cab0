"""Signatures of webhook deliveries: HMAC-SHA256 over `"{timestamp}.{body}"`.

The `Office-Signature` header reads `t=<unix seconds>,v1=<hex digest>`. Signing the
timestamp with the body lets a receiver refuse replays of an old delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = [
    "SIGNATURE_HEADER",
    "TOLERANCE_SECONDS",
    "new_secret",
    "sign",
    "signature_header",
    "verify",
]

SIGNATURE_HEADER = "Office-Signature"
TOLERANCE_SECONDS = 300
_SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A new webhook secret (shown to its owner once)."""
    return _SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `"{timestamp}.{body}"` under `secret`."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """The `Office-Signature` header value for a body sent at `timestamp`."""
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def verify(
    secret: str,
    header: str,
    body: bytes,
    *,
    now: float,
    tolerance_seconds: float = TOLERANCE_SECONDS,
) -> bool:
    """Whether `header` signs `body` under `secret` and is at most `tolerance_seconds` old."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        fields.setdefault(name, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_seconds:
        return False
    expected = sign(secret, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in fields.get("v1", []))
