"""Request bodies of at most MAX_REQUEST_BODY_BYTES: a larger one is a 413, never read whole.

A `Content-Length` past the limit is answered at once, before a byte of the body is read;
a body sent without one (chunked) is counted as it arrives and refused as soon as it
passes the limit. Either way nothing is parsed, stored or echoed back.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, status
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intelligent_office.api.errors import OPENAI_PREFIX, error_body, openai_error_body
from intelligent_office.limits import MAX_REQUEST_BODY_BYTES, MAX_TASK_DESCRIPTION_CHARS

__all__ = ["BodyLimit", "BodyTooLarge", "too_large_message"]


def too_large_message(max_bytes: int, length: int | None = None) -> str:
    """What was too large, and what to send instead."""
    size = f"{length:,} bytes" if length is not None else f"more than {max_bytes:,} bytes"
    return (
        f"request body too large: {size}, and at most {max_bytes:,} bytes are accepted;"
        f" send a shorter request (a task's description is at most"
        f" {MAX_TASK_DESCRIPTION_CHARS:,} characters)"
    )


class BodyTooLarge(HTTPException):
    """A 413 for a body that passed the limit while it was being read."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(
            status_code=status.HTTP_413_CONTENT_TOO_LARGE,
            detail=too_large_message(max_bytes),
            headers={"Connection": "close"},
        )


class BodyLimit:
    """ASGI middleware: refuse request bodies larger than `max_bytes` with a 413."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_REQUEST_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _content_length(scope)
        if length is not None and length > self.max_bytes:
            await self._refuse(scope, length)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)  # the app's error handlers answer it
            return message

        await self.app(scope, counted, send)

    def _refuse(self, scope: Scope, length: int) -> JSONResponse:
        message = too_large_message(self.max_bytes, length)
        body: dict[str, Any] = (
            openai_error_body(message, "request_too_large")
            if str(scope.get("path", "")).startswith(OPENAI_PREFIX)
            else error_body(message)
        )
        # The unread body stays on the connection: close it after this answer.
        return JSONResponse(status_code=413, content=body, headers={"Connection": "close"})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None
