"""Runtimes: where workflow code runs and how its effects are made durable."""

from intelligent_office.runtime.activity import Activity, Empty, JsonResult, activity
from intelligent_office.runtime.base import EventListener, Runtime
from intelligent_office.runtime.inline import InlineRuntime

__all__ = ["Activity", "Empty", "EventListener", "InlineRuntime", "JsonResult", "Runtime", "activity"]
