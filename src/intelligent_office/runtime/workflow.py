"""Workflow definitions: a named async function of (runtime, input model) -> output model.

Runtimes find workflows by name, so a run stored today can be resumed by a process
started tomorrow.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, get_type_hints

from pydantic import BaseModel

from intelligent_office.errors import UserError
from intelligent_office.runtime.base import Runtime

__all__ = ["WorkflowDef", "WorkflowRegistry", "workflow_def"]

InT = TypeVar("InT", bound=BaseModel)
OutT = TypeVar("OutT", bound=BaseModel)


@dataclass(frozen=True)
class WorkflowDef(Generic[InT, OutT]):
    """Deterministic workflow code, registered under a stable name."""

    name: str
    fn: Callable[[Runtime, InT], Awaitable[OutT]]
    input_type: type[InT]
    output_type: type[OutT]


def workflow_def(
    name: str,
) -> Callable[[Callable[[Runtime, InT], Awaitable[OutT]]], WorkflowDef[InT, OutT]]:
    """Turn `async def wf(runtime, input: In) -> Out` into a `WorkflowDef` named `name`."""

    def wrap(fn: Callable[[Runtime, InT], Awaitable[OutT]]) -> WorkflowDef[InT, OutT]:
        hints = get_type_hints(fn)
        params = list(inspect.signature(fn).parameters)
        if len(params) != 2 or "return" not in hints:
            raise TypeError(f"workflow {name}: expected async def fn(runtime, input) -> Output")
        input_type: Any = hints[params[1]]
        output_type: Any = hints["return"]
        return WorkflowDef(name=name, fn=fn, input_type=input_type, output_type=output_type)

    return wrap


class WorkflowRegistry:
    """Workflows by name; a deferred one's code loads when a run of it first needs it."""

    def __init__(self, workflows: Iterable[WorkflowDef[Any, Any]] = ()) -> None:
        self._workflows: dict[str, WorkflowDef[Any, Any]] = {}
        self._deferred: dict[str, Callable[[], WorkflowDef[Any, Any]]] = {}
        for definition in workflows:
            self.register(definition)

    def register(self, definition: WorkflowDef[Any, Any]) -> None:
        """Add a workflow; a second one under the same name is a mistake."""
        self._check_new(definition.name)
        self._workflows[definition.name] = definition

    def defer(self, name: str, load: Callable[[], WorkflowDef[Any, Any]]) -> None:
        """Add the workflow `name`, whose definition `load()` returns when first asked for.

        A process that never runs one (an `office run` of a task and a YAML graph
        workflow, say) never imports its code.
        """
        self._check_new(name)
        self._deferred[name] = load

    def get(self, name: str) -> WorkflowDef[Any, Any]:
        """The workflow called `name`."""
        definition = self._workflows.get(name)
        if definition is not None:
            return definition
        load = self._deferred.get(name)
        if load is None:
            known = ", ".join(self.names()) or "none"
            raise UserError(f"unknown workflow {name!r} (registered: {known})")
        definition = load()
        if definition.name != name:
            raise TypeError(f"workflow {name!r} loaded a definition named {definition.name!r}")
        self._workflows[name] = definition
        del self._deferred[name]
        return definition

    def names(self) -> list[str]:
        """Registered workflow names, sorted."""
        return sorted([*self._workflows, *self._deferred])

    def _check_new(self, name: str) -> None:
        if name in self._workflows or name in self._deferred:
            raise UserError(f"workflow {name!r} is registered twice")
