"""Runtimes: where workflow code runs and how its effects are made durable."""

from intelligent_office.runtime.activity import Activity, Empty, JsonResult, activity
from intelligent_office.runtime.base import EventListener, Runtime
from intelligent_office.runtime.inline import InlineRuntime
from intelligent_office.runtime.local import LocalRunContext
from intelligent_office.runtime.worker import LocalWorker
from intelligent_office.runtime.workflow import WorkflowDef, WorkflowRegistry, workflow_def

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
