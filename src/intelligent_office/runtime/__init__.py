"""Runtimes: where workflow code runs and how its effects are made durable.

The durable parts (local runtime, worker) load the SQL store; they are imported on
first use so that library users of the engine and the inline runtime do not pay for
SQLAlchemy and Alembic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from intelligent_office.runtime.activity import Activity, Empty, JsonResult, activity
from intelligent_office.runtime.base import EventListener, Runtime
from intelligent_office.runtime.inline import InlineRuntime
from intelligent_office.runtime.workflow import WorkflowDef, WorkflowRegistry, workflow_def

if TYPE_CHECKING:
    from intelligent_office.runtime.local import LocalRunContext
    from intelligent_office.runtime.worker import LocalWorker

__all__ = [
    "Activity",
    "Empty",
    "EventListener",
    "InlineRuntime",
    "JsonResult",
    "LocalRunContext",
    "LocalWorker",
    "Runtime",
    "WorkflowDef",
    "WorkflowRegistry",
    "activity",
    "workflow_def",
]

_LAZY = {
    "LocalRunContext": "intelligent_office.runtime.local",
    "LocalWorker": "intelligent_office.runtime.worker",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
