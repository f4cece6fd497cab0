"""Export the contracts as JSON Schema files (backs `office schema DIR`)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from intelligent_office.models.event import Event
from intelligent_office.models.execution_result import ExecutionResult
from intelligent_office.models.plan import Plan
from intelligent_office.models.review import Review
from intelligent_office.models.subtask import SubtaskGraph
from intelligent_office.models.task import Task
from intelligent_office.models.tool_gap import ToolGapReport
from intelligent_office.models.validation import ValidationReport

__all__ = ["CONTRACTS", "JSON_SCHEMA_DIALECT", "write_json_schemas"]

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

CONTRACTS: dict[str, type[BaseModel]] = {
    "task": Task,
    "subtask_graph": SubtaskGraph,
    "plan": Plan,
    "validation_report": ValidationReport,
    "execution_result": ExecutionResult,
    "review": Review,
    "tool_gap_report": ToolGapReport,
    "event": Event,
}
"""The top-level contracts by file stem: `task` is written to `task.schema.json`."""


def json_schema(model: type[BaseModel]) -> dict[str, object]:
    """Return a model's JSON Schema (draft 2020-12) for validating input."""
    return {"$schema": JSON_SCHEMA_DIALECT, **model.model_json_schema(mode="validation")}


def write_json_schemas(directory: Path) -> list[Path]:
    """Write `<name>.schema.json` for every contract into `directory`, creating it.

    Returns:
        The paths written, in the order of `CONTRACTS`.
    """
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, model in CONTRACTS.items():
        path = directory / f"{name}.schema.json"
        path.write_text(json.dumps(json_schema(model), indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
