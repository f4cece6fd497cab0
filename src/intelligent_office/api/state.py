"""What every request handler needs, built once per app at start-up and passed down."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from fastapi import Request

from intelligent_office.front_door import Office
from intelligent_office.runtime.worker import LocalWorker
from intelligent_office.settings import Settings
from intelligent_office.store import Store

__all__ = ["ApiState", "api_state"]


@dataclass
class ApiState:
    """Settings, the store, the Office and the worker that runs submitted tasks."""

    settings: Settings
    store: Store
    office: Office
    worker: LocalWorker
    submissions: threading.Lock = field(default_factory=threading.Lock)
    """Held while a task is submitted, so one idempotency key never queues two runs."""


async def api_state(request: Request) -> ApiState:
    """FastAPI dependency: the app's state (async: no thread hop for an attribute read)."""
    state: ApiState = request.app.state.office
    return state
