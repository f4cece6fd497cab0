"""Errors as JSON, in one shape: `{"detail": "<one sentence>", "errors": [{"loc", "msg"}]}`.

Every 4xx and 5xx answer of the API has this body (`ErrorBody`); `errors` lists each
problem of an invalid request (422) and is empty otherwise. A body never echoes the
input: a message quotes at most `MAX_ERROR_EXCERPT_CHARS` of it, and the whole answer
is cut to `MAX_ERROR_BYTES`. User mistakes the models cannot catch are 400s. The
OpenAI-compatible routes (/v1) answer in OpenAI's shape instead (`api/chat.py`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from intelligent_office.errors import UserError
from intelligent_office.limits import MAX_ERROR_BYTES, MAX_ERROR_EXCERPT_CHARS
from intelligent_office.safe_text import excerpt

__all__ = [
    "OPENAI_PREFIX",
    "error_body",
    "error_response",
    "install_error_handlers",
    "openai_error_body",
    "validation_problems",
]

OPENAI_PREFIX = "/v1/"
"""Paths answered in OpenAI's error shape, for the clients of the chat endpoint."""

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
_MAX_ITEMS = 10
_MAX_MESSAGE_CHARS = 600
_MAX_LOC_PARTS = 8

Problem = tuple[Sequence[str | int], str]


def error_body(detail: str, problems: Iterable[Problem] = ()) -> dict[str, Any]:
    """The body of an error answer, within MAX_ERROR_BYTES whatever it is given."""
    items = [
        {"loc": [_loc_part(part) for part in loc[:_MAX_LOC_PARTS]], "msg": _bounded(msg)}
        for loc, msg in list(problems)[:_MAX_ITEMS]
    ]
    body: dict[str, Any] = {"detail": _bounded(detail), "errors": items}
    while _size(body) > MAX_ERROR_BYTES and items:
        items.pop()
    if _size(body) > MAX_ERROR_BYTES:  # only a detail of wide characters gets here
        body["detail"] = body["detail"][: len(body["detail"]) // 2] + "..."
    return body


def openai_error_body(message: str, code: str | None = None) -> dict[str, Any]:
    """OpenAI's error body, for what /v1 answers outside its routes (413, 404, 405)."""
    error = {"message": _bounded(message), "type": "invalid_request_error", "code": code}
    return {"error": error | {"param": None}}


def error_response(
    status_code: int,
    detail: str,
    problems: Iterable[Problem] = (),
    headers: dict[str, str] | None = None,
    *,
    path: str = "",
) -> JSONResponse:
    """An error answer in the API's one shape (OpenAI's under /v1)."""
    content = (
        openai_error_body(detail)
        if path.startswith(OPENAI_PREFIX)
        else error_body(detail, problems)
    )
    return JSONResponse(status_code=status_code, content=content, headers=headers)


def validation_problems(error: RequestValidationError) -> tuple[str, list[Problem]]:
    """The sentence and the problems of an invalid request, quoting no input."""
    problems: list[Problem] = []
    for item in error.errors():
        message = str(item.get("msg", "not valid"))
        context = item.get("ctx") or {}
        if item.get("type") == "json_invalid" and context.get("error"):
            message = f"{message}: {context['error']}"  # where the JSON broke
        problems.append((tuple(item.get("loc", ())), message))
    if not problems:
        return "invalid request", []
    loc, message = problems[0]
    where = ".".join(str(_loc_part(part)) for part in loc[:_MAX_LOC_PARTS]) or "request"
    more = len(problems) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''}, listed in errors)" if more else ""
    return f"invalid request: {where}: {message}{tail}", problems


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error in the one shape."""

    @app.exception_handler(UserError)
    async def user_error(_: Request, error: UserError) -> JSONResponse:
        return error_response(400, str(error))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        detail, problems = validation_problems(error)
        return error_response(422, detail, problems)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if error.status_code < 400:  # a redirect (the web UI's sign-in) keeps its answer
            return await http_exception_handler(request, error)
        headers = dict(error.headers or {})
        detail = str(error.detail)
        where = f"{request.method} {excerpt(request.url.path)}"
        if error.status_code == 405:
            headers |= _allow_header(app, request)
            detail = f"method not allowed: {where}; this path answers {headers.get('Allow')}"
        elif error.status_code == 404 and detail == "Not Found":  # no route: Starlette's words
            detail = f"no such route: {where}; the API's routes are listed at /docs"
        problems: list[Problem] = list(getattr(error, "problems", []))
        return error_response(
            error.status_code, detail, problems, headers or None, path=request.url.path
        )

    @app.exception_handler(Exception)
    async def server_error(_: Request, __: Exception) -> JSONResponse:
        # Starlette raises the error on after this answer, so the server logs its traceback.
        return error_response(
            500, "internal error: the server failed on this request; it is logged, try again"
        )


def _allow_header(app: FastAPI, request: Request) -> dict[str, str]:
    # Starlette's Allow names only the first route on the path (POST /tasks, not GET):
    # list every method the path answers, as RFC 9110 asks.
    allowed = [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in app.router.routes
        )
    ]
    return {"Allow": ", ".join(allowed)} if allowed else {}


def _loc_part(part: str | int) -> str | int:
    return part if isinstance(part, int) else excerpt(str(part), MAX_ERROR_EXCERPT_CHARS)


def _bounded(text: str) -> str:
    """One line of at most _MAX_MESSAGE_CHARS: messages quote input, which may be long."""
    return excerpt(text, _MAX_MESSAGE_CHARS)


def _size(body: dict[str, Any]) -> int:
    # As JSONResponse renders it: UTF-8, non-ASCII characters unescaped.
    return len(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())
