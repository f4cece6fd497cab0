"""The temporal runtime: the Office workflow code, unchanged, as a Temporal workflow.

    OfficeWorkflow      `office.task` on Temporal: hosts the Office workflow code
    TemporalRuntime     the Runtime protocol inside it (activities, signals, timers, events)
    TemporalActivities  the agents' activities and the workflow's bookkeeping, for a worker
    TemporalSubmitter   starts SQL-stored runs as workflows
    RunBridge           carries queued runs, signals and cancel requests from the store
    serve_worker        a worker (and its bridge) until stopped
    DevServer           `temporal server start-dev`, tuned, for development and tests

temporalio is an optional extra: this package imports without it, and every name
that needs it is loaded on first use (`require_temporalio()` says how to install it).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from intelligent_office.runtime.temporal.availability import (
    INSTALL_HINT,
    require_temporalio,
    temporalio_installed,
)

if TYPE_CHECKING:
    from intelligent_office.runtime.temporal.activities import TemporalActivities
    from intelligent_office.runtime.temporal.bridge import RunBridge
    from intelligent_office.runtime.temporal.client import (
        RunOptions,
        TemporalSubmitter,
        connect,
    )
    from intelligent_office.runtime.temporal.dev_server import DevServer, dev_server_command
    from intelligent_office.runtime.temporal.runtime import TemporalRuntime
    from intelligent_office.runtime.temporal.worker import WorkerOptions, build_worker, serve_worker
    from intelligent_office.runtime.temporal.workflow import OfficeWorkflow

__all__ = [
    "INSTALL_HINT",
    "DevServer",
    "OfficeWorkflow",
    "RunBridge",
    "RunOptions",
    "TemporalActivities",
    "TemporalRuntime",
    "TemporalSubmitter",
    "WorkerOptions",
    "build_worker",
    "connect",
    "dev_server_command",
    "require_temporalio",
    "serve_worker",
    "temporalio_installed",
]

_LAZY = {
    "DevServer": "dev_server",
    "OfficeWorkflow": "workflow",
    "RunBridge": "bridge",
    "RunOptions": "client",
    "TemporalActivities": "activities",
    "TemporalRuntime": "runtime",
    "TemporalSubmitter": "client",
    "WorkerOptions": "worker",
    "build_worker": "worker",
    "connect": "client",
    "dev_server_command": "dev_server",
    "serve_worker": "worker",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        require_temporalio()
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
