"""The stats page of the web UI: the stats report inside the UI's frame.

Everyone's tasks for an admin, one's own for anyone else; the period is a query
parameter, so a view can be bookmarked.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from intelligent_office.api.state import ApiState, api_state
from intelligent_office.api.ui.rendering import page
from intelligent_office.api.ui.session import PagePrincipal
from intelligent_office.limits import MAX_STATS_DAYS
from intelligent_office.observability.stats_history import stats_history
from intelligent_office.reports import stats_context
from intelligent_office.reports.stats_report import since_days

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
State = Annotated[ApiState, Depends(api_state)]
DEFAULT_DAYS = 30.0


@router.get("/ui/stats")
def stats_page(
    request: Request,
    state: State,
    principal: PagePrincipal,
    days: Annotated[str, Query(max_length=20)] = "30",
) -> Response:
    """Charts of how the Office has done: everyone's tasks for an admin, else one's own."""
    try:
        wanted: float | None = float(days) if days else None
    except ValueError:
        wanted = DEFAULT_DAYS
    if wanted is not None and not 0 < wanted <= MAX_STATS_DAYS:  # also refuses NaN
        wanted = DEFAULT_DAYS
    owner = None if principal.is_admin else principal.user_id
    history = stats_history(state.store, since=since_days(wanted), user_id=owner)
    return page(request, "stats.html", principal, stats_context(history, wanted))
