"""The node kinds a YAML workflow may use, each an activity.

- python: calls a dotted callable (sync callables run in a thread) with `params` as
  keyword arguments, and `upstream` (the dependencies' outputs by node id) when the
  callable accepts it.
- sleep: waits `seconds`; echo: returns `message`; fail: raises, transient or not.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
from typing import Any

from pydantic import BaseModel, Field, JsonValue

from intelligent_office.errors import PermanentError, TransientError
from intelligent_office.limits import MAX_SLEEP_SECONDS
from intelligent_office.runtime.activity import JsonResult, activity

__all__ = ["EchoInput", "FailInput", "PythonCall", "SleepInput", "echo", "fail", "python", "sleep"]


class PythonCall(BaseModel):
    """Which callable to call, with what."""

    callable: str
    params: dict[str, JsonValue] = Field(default_factory=dict)
    upstream: dict[str, JsonValue] = Field(default_factory=dict)


class SleepInput(BaseModel):
    """How long to sleep."""

    seconds: float = Field(default=1.0, ge=0, le=MAX_SLEEP_SECONDS, allow_inf_nan=False)


class EchoInput(BaseModel):
    """What to echo."""

    message: JsonValue = None


class FailInput(BaseModel):
    """How to fail."""

    message: str = "failed on purpose"
    transient: bool = False


def resolve_callable(path: str) -> Any:
    """Import `module:attr` or `module.attr`."""
    module_name, _, attribute = path.partition(":")
    if not attribute:
        module_name, _, attribute = path.rpartition(".")
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as error:
        raise PermanentError(f"cannot import {module_name!r} for {path!r}: {error}") from None
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise PermanentError(f"{module_name!r} has no attribute {attribute!r}") from None
    if not callable(target):
        raise PermanentError(f"{path!r} is not callable")
    return target


@activity("node.python")
async def python(call: PythonCall) -> JsonResult:
    """Call the dotted callable and return what it returns (JSON)."""
    target = resolve_callable(call.callable)
    kwargs: dict[str, Any] = dict(call.params)
    if "upstream" in inspect.signature(target).parameters:
        kwargs["upstream"] = call.upstream
    if inspect.iscoroutinefunction(target):
        result = await target(**kwargs)
    else:
        result = await asyncio.to_thread(target, **kwargs)
    return JsonResult(value=result)


@activity("node.sleep")
async def sleep(value: SleepInput) -> JsonResult:
    """Wait, then return the seconds slept."""
    await asyncio.sleep(value.seconds)
    return JsonResult(value=value.seconds)


@activity("node.echo")
async def echo(value: EchoInput) -> JsonResult:
    """Return the message."""
    return JsonResult(value=value.message)


@activity("node.fail")
async def fail(value: FailInput) -> JsonResult:
    """Always fail: transiently (retried) or permanently."""
    if value.transient:
        raise TransientError(value.message)
    raise PermanentError(value.message)
