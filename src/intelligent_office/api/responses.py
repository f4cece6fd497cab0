"""OpenAPI documentation of the error answers routes share (`responses=`).

Routes name the errors they answer with `errors(...)`; `document_shared_errors` puts the
ones every route shares into the document: a 422 in the API's one error shape (not
FastAPI's list) wherever a request is validated, and a 413 wherever a body is sent.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from intelligent_office.api.errors import OPENAI_PREFIX
from intelligent_office.api.schemas import ErrorBody
from intelligent_office.limits import MAX_REQUEST_BODY_BYTES

__all__ = ["document_shared_errors", "errors"]

_ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}
_OPENAI_ERROR_BODY = {"$ref": "#/components/schemas/OpenAIErrorBody"}
_TOO_LARGE = f"The request body is larger than {MAX_REQUEST_BODY_BYTES:,} bytes; it was not read."
_INVALID = (
    "The request is not valid: `detail` names the first problem, `errors` lists each"
    " (where, what); no input is echoed beyond an 80-character excerpt."
)

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
    413: (_TOO_LARGE, "request body too large: 1,000,172 bytes, and at most 524,288 bytes ..."),
    422: (_INVALID, "invalid request: body.priority: Input should be less than or equal to 10"),
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
            entry["content"] = {"application/json": {"example": {"detail": example, "errors": []}}}
        if code == 429:
            entry["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before trying again.",
                    "schema": {"type": "integer"},
                }
            }
        documented[code] = entry
    return documented


def document_shared_errors(app: FastAPI) -> None:
    """Make the app's OpenAPI document show the 413 and 422 answers in their real shape."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        document = build()  # FastAPI's, cached after the first call: changed in place, once
        if not document.get("x-shared-errors"):
            for path, operations in document.get("paths", {}).items():
                for operation in operations.values():
                    _shared_errors(path, operation)
            schemas = document.get("components", {}).get("schemas", {})
            for unused in ("HTTPValidationError", "ValidationError"):
                schemas.pop(unused, None)
            document["x-shared-errors"] = True
        return document

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented extension point


def _shared_errors(path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    openai = path.startswith(OPENAI_PREFIX)
    schema = _OPENAI_ERROR_BODY if openai else _ERROR_BODY
    if "422" in responses:
        if openai:  # /v1 answers every invalid request with its own 400
            del responses["422"]
        elif "HTTPValidationError" in str(responses["422"]):
            responses["422"] = {
                "description": _INVALID,
                "content": {"application/json": {"schema": _ERROR_BODY}},
            }
    if "requestBody" in operation:
        responses["413"] = {
            "description": _TOO_LARGE,
            "content": {"application/json": {"schema": schema}},
        }
