"""Path arguments of MCP tools, confined to the task's workspace like the built-in tools'.

An MCP server runs outside the sandbox with the service's rights, so a path handed to it
could name any file the service can read, another tenant's included. Arguments named in
the server's `path_arguments` (a string, or a list of strings) are therefore resolved
inside the calling task's workspace (relative paths start there; `..`, absolute paths
elsewhere and symlinks out are refused) and passed on as absolute paths.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from intelligent_office.errors import ToolError
from intelligent_office.tools.workspace import resolve_in_workspace

__all__ = ["DEFAULT_PATH_ARGUMENTS", "confine_path_arguments"]

DEFAULT_PATH_ARGUMENTS = (
    "path",
    "paths",
    "file",
    "file_path",
    "filename",
    "directory",
    "dir",
    "source",
    "destination",
)
"""Names that mean a file or directory in common MCP servers (the filesystem server's too)."""


def _confined(tool: str, workspace: Path, name: str, value: object) -> object:
    if isinstance(value, str):
        try:
            return str(resolve_in_workspace(workspace, value))
        except ToolError as error:
            raise ToolError(f"{tool}: argument {name}: {error}") from None
    if isinstance(value, list):
        return [_confined(tool, workspace, name, item) for item in value]
    return value  # not a path (a number, an object): the server's schema decides


def confine_path_arguments(
    tool: str, arguments: dict[str, Any], names: list[str], workspace: Path
) -> dict[str, Any]:
    """`arguments` with each path argument resolved inside `workspace`, made absolute.

    Raises:
        ToolError: a path argument leads outside the workspace.
    """
    return {
        key: _confined(tool, workspace, key, value) if key in names else value
        for key, value in arguments.items()
    }
