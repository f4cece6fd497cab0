"""YAML workflow files: the format, and loading with errors that name the problem.

name: release
max_parallel: 4
failure_mode: continue        # or fail_fast (default)
nodes:
  - id: build
    kind: python              # python | sleep | echo | fail
    callable: mypkg.tasks:build
    params: {target: wheel}
    dependencies: [fetch]
    retry: {kind: exponential, max_attempts: 3, delay_seconds: 0.5}
    timeout: 60
    priority: 8               # >= 8 marks the node critical
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, model_validator

from intelligent_office.engine.retry import RetryPolicy
from intelligent_office.errors import WorkflowFileError
from intelligent_office.limits import MAX_CONCURRENCY, MAX_TIMEOUT_SECONDS, MAX_WORKFLOW_NODES
from intelligent_office.workflows import nodes
from intelligent_office.yaml_files import load_yaml_file

__all__ = ["NODE_KINDS", "NodeSpec", "WorkflowSpec", "load_workflow_file", "parse_workflow"]

NODE_KINDS = ("echo", "fail", "python", "sleep")
_PARAMS: dict[str, type[BaseModel]] = {
    "sleep": nodes.SleepInput,
    "echo": nodes.EchoInput,
    "fail": nodes.FailInput,
}
_CALLABLE = re.compile(r"^[A-Za-z_][\w.]*(:[A-Za-z_][\w.]*)?$")


class NodeSpec(BaseModel):
    """One node of a YAML workflow."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, pattern=r"^[\w.-]+$")
    kind: str = Field(description="python, sleep, echo or fail.")
    callable: str | None = Field(
        default=None, description="For kind python: module:function or module.function."
    )
    params: dict[str, JsonValue] = Field(default_factory=dict)
    dependencies: list[str] = Field(default_factory=list)
    retry: RetryPolicy = Field(default_factory=RetryPolicy.none)
    timeout: float | None = Field(
        default=None,
        gt=0,
        le=MAX_TIMEOUT_SECONDS,
        allow_inf_nan=False,
        description="Seconds per attempt.",
    )
    priority: int = Field(default=5, ge=0, le=10)
    estimated_duration: float = Field(
        default=1.0, ge=0, le=MAX_TIMEOUT_SECONDS, allow_inf_nan=False
    )

    @model_validator(mode="after")
    def _kind_fits(self) -> NodeSpec:
        if self.kind not in NODE_KINDS:
            raise ValueError(
                f"unknown node kind {self.kind!r} (known kinds: {', '.join(NODE_KINDS)})"
            )
        if self.kind == "python":
            if not self.callable:
                raise ValueError("kind python needs `callable: module:function`")
            if not _CALLABLE.match(self.callable):
                raise ValueError(f"callable {self.callable!r} is not module:function")
        _check_params(self.kind, self.params)
        return self


def _check_params(kind: str, params: dict[str, JsonValue]) -> None:
    """Validate a node's params now, so a bad one is a file error, not a failed run."""
    model = _PARAMS.get(kind)
    if model is None:
        return
    try:
        model.model_validate(params)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(f"params.{where}: {first['msg']}") from None


class WorkflowSpec(BaseModel):
    """A whole YAML workflow."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    description: str = ""
    max_parallel: int | None = Field(default=None, ge=1, le=MAX_CONCURRENCY)
    failure_mode: Literal["fail_fast", "continue"] = "fail_fast"
    nodes: list[NodeSpec] = Field(min_length=1, max_length=MAX_WORKFLOW_NODES)


def parse_workflow(data: Any, source: str = "workflow") -> WorkflowSpec:
    """Validate loaded YAML; the error is one line naming the field and the problem."""
    try:
        return WorkflowSpec.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = _location(data, first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise WorkflowFileError(f"{source}: {where}: {message}") from None


def _location(data: Any, loc: tuple[int | str, ...]) -> str:
    """`nodes[2] (id 'build').kind` style location for a validation error."""
    parts: list[str] = []
    current = data
    for part in loc:
        if isinstance(part, int):
            parts[-1] += f"[{part}]"
            if isinstance(current, list) and part < len(current):
                current = current[part]
                if isinstance(current, dict) and "id" in current:
                    parts[-1] += f" (id {current['id']!r})"
        else:
            parts.append(str(part))
            current = current.get(part) if isinstance(current, dict) else None
    return ".".join(parts) or "top level"


def load_workflow_file(path: Path) -> WorkflowSpec:
    """Read and validate a YAML workflow file (size and nesting bounded)."""
    data = load_yaml_file(path, error=WorkflowFileError)
    if not isinstance(data, dict):
        raise WorkflowFileError(f"{path}: expected a mapping with name and nodes at the top")
    return parse_workflow(data, str(path))
