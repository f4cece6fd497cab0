"""Tools: typed functions with a spec built from their signature, and the registry that calls them.

A tool is a plain function whose first parameter is a `ToolContext` and whose other
parameters are typed keyword arguments. `@tool(...)` reads the signature and the
Google-style docstring into a `ToolSpec` (name, description, JSON schema of the
parameters, risk level, idempotent flag). Tools return JSON-compatible values.
Synchronous tools run in a worker thread so a long analysis never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, create_model

from intelligent_office.errors import ToolError, UserError
from intelligent_office.models.risk import RiskLevel

__all__ = ["Tool", "ToolContext", "ToolRegistry", "ToolSpec", "tool"]


class ToolSpec(BaseModel):
    """What a planner and a validator need to know about a tool."""

    name: str = Field(description="Unique name plans use in a step's `action`.")
    description: str = Field(description="What the tool does, in one or two sentences.")
    parameters: dict[str, JsonValue] = Field(description="JSON Schema of the arguments.")
    risk_level: RiskLevel = Field(default=RiskLevel.LOW, description="low, medium or high.")
    idempotent: bool = Field(
        default=True, description="Whether calling twice with the same arguments is harmless."
    )
    path_parameters: list[str] = Field(
        default_factory=list,
        description="Arguments that are paths and must stay inside the workspace.",
    )


@dataclass(frozen=True)
class ToolContext:
    """What a tool call knows besides its arguments.

    Attributes:
        workspace: the directory the call is confined to; relative paths are under it.
        idempotency_key: a non-idempotent tool uses it to apply its effect once.
        timeout_seconds: the call's time limit, for tools that start processes.
        task_id: the task the call serves (model calls are costed to it), if any.
        subtask_id: the subtask the call serves, if any.
    """

    workspace: Path
    idempotency_key: str = ""
    timeout_seconds: float | None = None
    task_id: str | None = None
    subtask_id: str | None = None


@dataclass(frozen=True)
class Tool:
    """A tool's spec, its argument model and the function that does the work."""

    spec: ToolSpec
    arguments_model: type[BaseModel]
    fn: Callable[..., Any]

    async def __call__(self, context: ToolContext, arguments: dict[str, Any]) -> JsonValue:
        """Validate the arguments and call the tool; bad arguments raise ToolError."""
        try:
            parsed = self.arguments_model.model_validate(arguments)
        except ValidationError as error:
            raise ToolError(f"{self.spec.name}: {_first_error(error)}") from None
        kwargs = {name: getattr(parsed, name) for name in type(parsed).model_fields}
        if inspect.iscoroutinefunction(self.fn):
            result = await self.fn(context, **kwargs)
        else:
            result = await asyncio.to_thread(self.fn, context, **kwargs)
        return _jsonable(result)


def tool(
    name: str | None = None,
    *,
    risk: RiskLevel = RiskLevel.LOW,
    idempotent: bool = True,
    path_parameters: Iterable[str] = (),
) -> Callable[[Callable[..., Any]], Tool]:
    """Turn `def fn(ctx: ToolContext, *, arg: T = default) -> JSON` into a `Tool`.

    Args:
        name: the tool's name; defaults to the function's name.
        risk: how much harm a call could do.
        idempotent: whether a repeated call with the same arguments is harmless.
        path_parameters: arguments that name files and must stay in the workspace.
    """

    def wrap(fn: Callable[..., Any]) -> Tool:
        summary, arg_docs = _parse_docstring(inspect.getdoc(fn) or "")
        hints = get_type_hints(fn)
        fields: dict[str, Any] = {}
        for index, (param_name, param) in enumerate(inspect.signature(fn).parameters.items()):
            if index == 0:
                continue  # the ToolContext
            default = ... if param.default is inspect.Parameter.empty else param.default
            fields[param_name] = (
                hints[param_name],
                Field(default=default, description=arg_docs.get(param_name)),
            )
        tool_name = name or fn.__name__
        model = create_model(
            f"{tool_name}_arguments", __config__=ConfigDict(extra="forbid"), **fields
        )
        schema = model.model_json_schema()
        schema.pop("title", None)
        spec = ToolSpec(
            name=tool_name,
            description=summary or tool_name,
            parameters=schema,
            risk_level=risk,
            idempotent=idempotent,
            path_parameters=list(path_parameters),
        )
        return Tool(spec=spec, arguments_model=model, fn=fn)

    return wrap


class ToolRegistry:
    """Tools by name."""

    def __init__(self, tools: Iterable[Tool] = ()) -> None:
        self._tools: dict[str, Tool] = {}
        for item in tools:
            self.register(item)

    def register(self, item: Tool) -> None:
        """Add a tool; two tools with one name is a mistake."""
        if item.spec.name in self._tools:
            raise UserError(f"tool {item.spec.name!r} is registered twice")
        self._tools[item.spec.name] = item

    def unregister(self, name: str) -> None:
        """Remove a tool (an MCP server stopped offering it, or changed it)."""
        self._tools.pop(name, None)

    def get(self, name: str) -> Tool:
        """The tool called `name`; ToolError naming the known tools if there is none."""
        try:
            return self._tools[name]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise ToolError(f"unknown tool {name!r} (registered: {known})") from None

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def names(self) -> list[str]:
        """Registered tool names, sorted."""
        return sorted(self._tools)

    def specs(self) -> list[ToolSpec]:
        """Every tool's spec, sorted by name."""
        return [self._tools[name].spec for name in self.names()]

    def argument_errors(self, name: str, arguments: dict[str, Any]) -> list[str]:
        """Why these arguments do not fit the tool's schema; empty when they do."""
        try:
            self.get(name).arguments_model.model_validate(arguments)
        except ValidationError as error:
            return [_describe(item) for item in error.errors()]
        return []

    async def call(self, name: str, context: ToolContext, arguments: dict[str, Any]) -> JsonValue:
        """Call a tool by name."""
        return await self.get(name)(context, arguments)


def _describe(item: Any) -> str:
    where = ".".join(str(part) for part in item["loc"]) or "arguments"
    return f"{where}: {item['msg']}"


def _first_error(error: ValidationError) -> str:
    return "; ".join(_describe(item) for item in error.errors())


_ARG_LINE = re.compile(r"^\s{2,}(\w+)(?:\s*\([^)]*\))?:\s*(.+)$")


def _parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """The summary paragraph and the `Args:` descriptions of a Google-style docstring."""
    summary = doc.split("\n\n", 1)[0].replace("\n", " ").strip()
    args: dict[str, str] = {}
    in_args = False
    current = ""
    for line in doc.splitlines():
        if line.strip() in ("Args:", "Arguments:"):
            in_args = True
            continue
        if in_args:
            if line and not line.startswith(" "):
                in_args = False  # the next section (Returns:, Raises:) began
                continue
            match = _ARG_LINE.match(line)
            if match and len(line) - len(line.lstrip()) <= 4:
                current = match.group(1)
                args[current] = match.group(2).strip()
            elif current and line.strip():
                args[current] += " " + line.strip()
    return summary, args


def _jsonable(value: Any) -> JsonValue:
    if isinstance(value, BaseModel):
        dumped: JsonValue = value.model_dump(mode="json")
        return dumped
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value  # type: ignore[no-any-return]
