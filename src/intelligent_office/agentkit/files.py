"""Agent workflows in YAML files: load and validate with one-line errors, find them by name.

A file is an agent workflow when it has a top-level `agents:` list (other YAML files in
the same folder, such as `office run-workflow` graphs, are left alone). An agent's
`sources` are resolved against the file's folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from intelligent_office.agentkit.workflow import Workflow
from intelligent_office.errors import WorkflowFileError
from intelligent_office.yaml_files import load_yaml_file

__all__ = ["discover", "find_workflow", "load_agent_workflow", "one_line"]


def one_line(error: ValidationError) -> str:
    """The first problem of a validation error, where it is and what it is, on one line."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown field (check its spelling)"
    elif first["type"] == "missing":
        message = "missing: this field is required"
    return f"{where}: {message}" if where else message


def _read(path: Path) -> Any:
    return load_yaml_file(path, error=WorkflowFileError)


def load_agent_workflow(path: Path) -> Workflow:
    """The validated workflow in `path`.

    Raises:
        WorkflowFileError: unreadable, not YAML, or invalid; one line naming the problem.
    """
    raw = _read(path)
    if not isinstance(raw, dict) or "agents" not in raw:
        raise WorkflowFileError(f"{path}: not an agent workflow: it needs a top-level agents: list")
    raw.setdefault("name", path.stem)
    try:
        return Workflow.model_validate(raw)
    except ValidationError as error:
        raise WorkflowFileError(f"{path}: {one_line(error)}") from None


def discover(directory: Path) -> list[Path]:
    """The agent workflow files (`*.yaml`, `*.yml` with an `agents:` list) in `directory`."""
    if not directory.is_dir():
        return []
    found = []
    for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        try:
            raw = _read(path)
        except WorkflowFileError:
            found.append(path)  # listed, so that validating it shows what is wrong
            continue
        if isinstance(raw, dict) and "agents" in raw:
            found.append(path)
    return found


def find_workflow(directory: Path, name: str) -> Path:
    """The file of the workflow called `name` (its `name:` or its file name).

    Raises:
        WorkflowFileError: no workflow by that name.
    """
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        return candidate
    for path in discover(directory):
        if path.stem == name:
            return path
        try:
            if load_agent_workflow(path).name == name:
                return path
        except WorkflowFileError:
            continue
    known = ", ".join(p.stem for p in discover(directory)) or "none"
    raise WorkflowFileError(f"no agent workflow {name!r} in {directory} (found: {known})")
