"""OpenAPI documentation of the error answers routes share (`responses=`)."""

from __future__ import annotations

from typing import Any

from intelligent_office.api.schemas import ErrorBody

__all__ = ["errors"]

_MEANING = {
    400: ("Bad input the model could not catch (e.g. a workspace not your own).", None),
    401: (
        "No API key, or a revoked or unknown one.",
        "missing or invalid API key: send `Authorization: Bearer <key>`",
    ),
    403: (
        "The key's role may not do this (viewers only read).",
        "role viewer may only read: this needs an operator or admin key",
    ),
    404: ("No such resource, or it belongs to another user.", "no task 3f0c9d6e"),
    409: (
        "The request conflicts with the resource's state.",
        "task 3f0c9d6e has already completed",
    ),
    429: (
        "A per-user limit was reached; `Retry-After` says how many seconds to wait.",
        "requests_per_minute: user alice made more than 600 requests a minute; retry after 1 s",
    ),
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for these status codes, each with an `ErrorBody` and an example."""
    documented: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        description, example = _MEANING[code]
        entry: dict[str, Any] = {"model": ErrorBody, "description": description}
        if example is not None:
            entry["content"] = {"application/json": {"example": {"detail": example}}}
        if code == 429:
            entry["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before trying again.",
                    "schema": {"type": "integer"},
                }
            }
        documented[code] = entry
    return documented
