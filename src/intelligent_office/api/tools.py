"""`GET /tools`: the tools planners may use, with their risk and parameter schemas."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from intelligent_office.api.auth import CurrentPrincipal
from intelligent_office.api.json_bodies import StrictJsonRoute
from intelligent_office.api.limits import rate_limited
from intelligent_office.api.responses import errors
from intelligent_office.api.schemas import ToolPublic
from intelligent_office.api.state import ApiState, api_state

__all__ = ["router"]

router = APIRouter(
    prefix="/tools",
    tags=["tools"],
    dependencies=[Depends(rate_limited)],
    route_class=StrictJsonRoute,
)


@router.get(
    "",
    summary="List the tools",
    response_model=list[ToolPublic],
    responses=errors(401, 429),
)
def list_tools(
    _: CurrentPrincipal, state: Annotated[ApiState, Depends(api_state)]
) -> list[ToolPublic]:
    """Every registered tool (built-in and MCP), by name."""
    return [
        ToolPublic(
            name=spec.name,
            description=spec.description,
            risk=spec.risk_level.value,
            idempotent=spec.idempotent,
            parameters=spec.parameters,
        )
        for spec in sorted(state.office.tools.specs(), key=lambda spec: spec.name)
    ]
