"""Activities: the only way workflow code touches the world.

An activity is an async function taking one pydantic model and returning one. The
runtime calls it by a stable key, journals its result (or final error) and replays it
after a crash, so the output must round-trip through JSON.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, get_type_hints

from pydantic import BaseModel, JsonValue

__all__ = ["Activity", "Empty", "JsonResult", "activity", "call_activity"]

InT = TypeVar("InT", bound=BaseModel)
OutT = TypeVar("OutT", bound=BaseModel)


class Empty(BaseModel):
    """Input or output of an activity that needs none."""


class JsonResult(BaseModel):
    """A free-form JSON output, for activities whose result has no fixed shape."""

    value: JsonValue = None


@dataclass(frozen=True)
class Activity(Generic[InT, OutT]):
    """A named async function from one pydantic model to another."""

    name: str
    fn: Callable[[InT], Awaitable[OutT]]
    input_type: type[InT]
    output_type: type[OutT]

    async def __call__(self, value: InT) -> OutT:
        return await self.fn(value)


def activity(
    name: str | None = None,
) -> Callable[[Callable[[InT], Awaitable[OutT]]], Activity[InT, OutT]]:
    """Turn `async def fn(input: In) -> Out` into an `Activity`, reading the types from hints.

    Args:
        name: the activity's registered name; defaults to the function's qualified name.
    """

    def wrap(fn: Callable[[InT], Awaitable[OutT]]) -> Activity[InT, OutT]:
        if not inspect.iscoroutinefunction(fn):
            raise TypeError(f"activity {fn.__qualname__} must be an async function")
        hints = get_type_hints(fn)
        params = [p for p in inspect.signature(fn).parameters if p != "return"]
        if len(params) != 1 or "return" not in hints:
            raise TypeError(
                f"activity {fn.__qualname__} must take exactly one pydantic model "
                "and declare its return type"
            )
        input_type: Any = hints[params[0]]
        output_type: Any = hints["return"]
        for role, tp in (("input", input_type), ("output", output_type)):
            if not (isinstance(tp, type) and issubclass(tp, BaseModel)):
                raise TypeError(f"activity {fn.__qualname__}: {role} type must be a BaseModel")
        return Activity(
            name=name or f"{fn.__module__}.{fn.__qualname__}",
            fn=fn,
            input_type=input_type,
            output_type=output_type,
        )

    return wrap


async def call_activity(
    target: Activity[InT, OutT], value: InT, timeout_seconds: float | None
) -> OutT:
    """Call an activity, within `timeout_seconds` when given (no timer otherwise)."""
    if timeout_seconds is None:
        return await target.fn(value)
    async with asyncio.timeout(timeout_seconds):
        return await target.fn(value)
