"""Liveness and readiness: `/healthz` answers while the process runs, `/readyz` checks the
database and the worker."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import text

from intelligent_office.api.errors import error_response
from intelligent_office.api.json_bodies import StrictJsonRoute
from intelligent_office.api.schemas import ErrorBody
from intelligent_office.api.state import ApiState, api_state

__all__ = ["router"]

router = APIRouter(tags=["health"], route_class=StrictJsonRoute)


@router.get("/healthz", summary="Liveness: the process answers")
def healthz() -> dict[str, str]:
    """Always `{"status": "ok"}` while the server runs."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: the database answers",
    responses={503: {"model": ErrorBody, "description": "The database does not answer."}},
)
def readyz(state: Annotated[ApiState, Depends(api_state)]) -> JSONResponse:
    """`ready` when the database answers a query, else 503 with the reason."""
    try:
        with state.store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any database failure means not ready
        return error_response(503, f"not ready: the database does not answer: {error}")
    return JSONResponse(
        content={"status": "ready", "database": state.store.dialect, "runtime": "local"}
    )
