"""Errors as JSON: every 4xx and 5xx body is `{"detail": ...}`; user mistakes are 400s."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from intelligent_office.errors import UserError

__all__ = ["install_error_handlers"]


def install_error_handlers(app: FastAPI) -> None:
    """Map the Office's own errors to HTTP answers."""

    @app.exception_handler(UserError)
    async def user_error(_: Request, error: UserError) -> JSONResponse:
        return JSONResponse(status_code=400, content={"detail": str(error)})
