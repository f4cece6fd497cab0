"""`GET /metrics`: the app's Prometheus registry in the text exposition format.

Unauthenticated, like `/healthz`, so Prometheus can scrape it: it carries counts and
timings, never a task's content or a user's name. Put it behind the network's
access rules when the counts themselves are sensitive.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from intelligent_office.api.json_bodies import StrictJsonRoute
from intelligent_office.api.state import ApiState, api_state

__all__ = ["router"]

router = APIRouter(tags=["observability"], route_class=StrictJsonRoute)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
)
async def metrics(state: Annotated[ApiState, Depends(api_state)]) -> Response:
    """Counters and histograms of this process, and gauges read from the store now."""
    registry = state.office.telemetry.metrics.registry
    # The store gauges query the database: off the event loop.
    body = await asyncio.to_thread(generate_latest, registry)
    return Response(content=body, media_type=CONTENT_TYPE_LATEST)
