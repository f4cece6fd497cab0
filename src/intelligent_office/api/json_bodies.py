"""JSON request bodies, read strictly: what cannot be stored or sent back is refused at once.

Python's `json` module reads `NaN`, `Infinity`, `-Infinity` and `1e400` (as infinity)
and `"\\ud800"` (a lone surrogate, half of a UTF-16 pair), and a body in bytes that are
not UTF-8 with surrogatepass. None of them can be written as JSON or UTF-8 later: they
would fail in the database or in the answer (a 500), after a task was perhaps stored.
Every API router reads its bodies through `StrictJsonRoute`, which refuses them with a
422 naming the field and the problem, in the shape of a validation error.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response, status
from fastapi.routing import APIRoute

__all__ = ["InvalidJsonValue", "StrictJsonRequest", "StrictJsonRoute", "strict_json"]

_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_FINITE = (
    "is not a finite number (NaN, Infinity and numbers beyond a float's range, like 1e400,"
    " are not allowed): send a number between -1.7e308 and 1.7e308"
)
_LONE_SURROGATE = (
    "holds a lone surrogate (like \\ud800), which is not a character: send the character"
    " itself, or both halves of its UTF-16 pair"
)

Location = tuple[str | int, ...]


class InvalidJsonValue(HTTPException):
    """A 422 for a JSON body that parses but holds a value no JSON or UTF-8 can carry."""

    def __init__(self, location: Location, problem: str) -> None:
        self.location: Location = ("body", *location)
        where = ".".join(str(part) for part in self.location)
        self.message = f"{where} {problem}"
        self.problems = [(self.location, self.message)]  # the `errors` of the answer
        super().__init__(
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f"invalid request: {self.message}",
        )


def strict_json(body: bytes) -> Any:
    """The body parsed as JSON, refusing what `_first_problem` finds.

    Raises:
        json.JSONDecodeError: not JSON at all (FastAPI answers it with a 422).
        InvalidJsonValue: not UTF-8, or a non-finite number or lone surrogate in it.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidJsonValue(
            (), f"is not UTF-8 (byte {error.start} is not valid): send the body as UTF-8"
        ) from None
    value = json.loads(text)
    problem = _first_problem(value)
    if problem is not None:
        raise InvalidJsonValue(*problem)
    return value


def _first_problem(document: Any) -> tuple[Location, str] | None:
    """Where the first non-finite number or lone surrogate is, and which it is."""
    # A stack, not recursion: the parser accepts nesting deeper than a walk could recurse.
    pending: list[tuple[Location, Any]] = [((), document)]
    while pending:
        location, value = pending.pop()
        if isinstance(value, float) and not math.isfinite(value):
            return location, _NOT_FINITE
        if isinstance(value, str) and _SURROGATE.search(value):
            return location, _LONE_SURROGATE
        if isinstance(value, dict):
            for key, item in reversed(value.items()):
                if _SURROGATE.search(key):
                    return location, f"has a key that {_LONE_SURROGATE}"
                pending.append(((*location, key), item))
        elif isinstance(value, list):
            pending.extend(
                ((*location, index), item) for index, item in reversed(list(enumerate(value)))
            )
    return None


class StrictJsonRequest(Request):
    """A request whose `json()` is `strict_json`."""

    async def json(self) -> Any:
        """The body as strict JSON (parsed once)."""
        if not hasattr(self, "_json"):
            self._json = strict_json(await self.body())
        return self._json


class StrictJsonRoute(APIRoute):
    """A route that reads its JSON body with `strict_json`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strictly(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strictly
