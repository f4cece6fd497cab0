"""The web UI: server-rendered pages on the same app as the API, with no build step.

Jinja2 templates, a stylesheet and a small script, all shipped in the package: it works
on a machine with no network. Sign in with an API key (`office keys create`), submit a
task, watch it live (its subtask DAG, steps, tool calls, reviews and costs), decide
approvals, retry dead letters, search the history, see the stats as charts.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles

from intelligent_office.api.ui import inbox, learning, routes, run_pages, session, stats_page
from intelligent_office.api.ui.rendering import STATIC_DIR

__all__ = ["ui_router"]


def ui_router() -> APIRouter:
    """Every page of the UI and its static files under /ui/static."""
    router = APIRouter(include_in_schema=False)
    router.include_router(session.router)
    router.include_router(routes.router)
    router.include_router(inbox.router)
    router.include_router(run_pages.router)
    router.include_router(stats_page.router)
    router.include_router(learning.router)
    router.mount("/ui/static", StaticFiles(directory=STATIC_DIR), name="ui-static")
    return router
