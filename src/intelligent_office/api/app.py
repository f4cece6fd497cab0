"""`create_app(settings)`: the API, the web UI and a local worker in one process.

The lifespan opens the store, builds the Office and runs a `LocalWorker` on the
server's event loop, so tasks submitted over HTTP run in the same process (`office
serve`). Routers live one concept per module and are included here.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator

from fastapi import APIRouter, FastAPI

from intelligent_office.agentkit.scheduler import agent_scheduler
from intelligent_office.api import (
    agents,
    approvals,
    chat,
    dead_letters,
    events_stream,
    health,
    metrics,
    runs,
    tasks,
    tools,
    webhooks,
)
from intelligent_office.api.body_limit import BodyLimit
from intelligent_office.api.errors import install_error_handlers
from intelligent_office.api.limits import RateLimiter
from intelligent_office.api.progress import ProgressTracker
from intelligent_office.api.responses import document_shared_errors
from intelligent_office.api.state import ApiState
from intelligent_office.api.ui import ui_router
from intelligent_office.front_door import Office
from intelligent_office.learning.job import learn_periodically
from intelligent_office.observability import Telemetry
from intelligent_office.settings import Settings
from intelligent_office.state_files import prepare_state_directory, refuse_state_files
from intelligent_office.store import Store
from intelligent_office.webhooks import WebhookDispatcher

__all__ = ["create_app"]

API_VERSION = "1"


def create_app(
    settings: Settings,
    *,
    store: Store | None = None,
    office: Office | None = None,
    run_worker: bool = True,
) -> FastAPI:
    """The FastAPI app for these settings.

    Args:
        settings: built at the edge.
        store: an open store (tests share theirs); the Office's, or opened from the
            settings, when None.
        office: the Office; built from the settings over the store when None.
        run_worker: run submitted tasks in this process (False: another worker does).
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_store = store is None and office is None
        prepare_state_directory(settings)
        opened = store or (
            office.store
            if office is not None
            else Store.open(
                settings.resolved_database_url, sqlite_synchronous=settings.sqlite_synchronous
            )
        )
        telemetry = (
            office.telemetry
            if office is not None
            else Telemetry.from_settings(settings.observability)
        )
        app_office = (
            office
            if office is not None
            else await asyncio.to_thread(
                functools.partial(Office.from_settings, settings, opened, telemetry=telemetry)
            )
        )
        # `/metrics` reads them: an Office built without counting (a library's default) counts
        # from here on.
        telemetry.counting = True
        telemetry.metrics.watch_store(opened)
        worker = app_office.worker()
        for root in settings.workspace_roots:
            root.expanduser().mkdir(parents=True, exist_ok=True)  # tenants' folders: on use
        app.state.office = ApiState(settings, opened, app_office, worker)
        stop = asyncio.Event()
        serving = asyncio.create_task(worker.serve(stop)) if run_worker else None
        # Webhook delivery runs apart from the workers: a slow receiver never holds a task.
        dispatching = (
            asyncio.create_task(WebhookDispatcher(opened, settings.webhooks).run(stop))
            if settings.webhooks.enabled
            else None
        )
        # Cron agent workflows (issue 10): off unless `agent_scheduler` is set.
        scheduling = (
            asyncio.create_task(agent_scheduler(settings, app_office).run(stop))
            if settings.agent_scheduler
            else None
        )
        learning = (
            asyncio.create_task(learn_periodically(opened, settings.learning, stop))
            if settings.learning.interval_seconds > 0
            else None
        )
        try:
            yield
        finally:
            stop.set()
            if learning is not None:
                await learning
            if scheduling is not None:
                await scheduling
            if serving is not None:
                await serving
            if dispatching is not None:
                await dispatching
            if app_office.mcp is not None:
                await app_office.mcp.aclose()
            if office is None:
                telemetry.shutdown()  # flush the spans still batched
                if settings.llm.enabled:
                    from intelligent_office.llm.local_server import stop_local_servers

                    # The local model servers this app's Office started (atexit would too).
                    await asyncio.to_thread(stop_local_servers)
            if own_store:
                opened.close()

    # Before anything starts: a root holding the service's own files is one clear line.
    for root in settings.workspace_roots:
        refuse_state_files(settings, root, what="workspace root")
    app = FastAPI(
        title="Intelligent Office",
        version=API_VERSION,
        summary="Tasks in plain language, done by a team of AI agents, durably.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    document_shared_errors(app)
    app.add_middleware(BodyLimit)  # a body past the limit is refused before it is read
    # Per app, not per module: two apps in one process (tests) keep separate buckets.
    app.state.rate_limiter = RateLimiter(settings.api.requests_per_minute)
    app.state.progress = ProgressTracker()
    for router in _routers():
        app.include_router(router)
    return app


def _routers() -> list[APIRouter]:
    # Each router module owns one concept.
    return [
        health.router,
        metrics.router,
        tasks.router,
        runs.router,
        events_stream.router,
        approvals.router,
        dead_letters.router,
        tools.router,
        ui_router(),
        webhooks.router,
        chat.router,
        agents.router,
    ]
