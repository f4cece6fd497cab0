"""Errors as JSON: every 4xx and 5xx body is `{"detail": ...}`; user mistakes are 400s."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from intelligent_office.errors import UserError

__all__ = ["install_error_handlers"]

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def install_error_handlers(app: FastAPI) -> None:
    """Map the Office's own errors to HTTP answers."""

    @app.exception_handler(UserError)
    async def user_error(_: Request, error: UserError) -> JSONResponse:
        return JSONResponse(status_code=400, content={"detail": str(error)})

    @app.exception_handler(405)
    async def method_not_allowed(request: Request, error: HTTPException) -> JSONResponse:
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
        headers = {"Allow": ", ".join(allowed)} if allowed else dict(error.headers or {})
        return JSONResponse(status_code=405, content={"detail": error.detail}, headers=headers)
