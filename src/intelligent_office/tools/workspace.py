"""Workspace confinement: every path a tool touches resolves beneath the workspace root."""

from __future__ import annotations

from pathlib import Path

from intelligent_office.errors import ToolError
from intelligent_office.safe_text import escape_surrogates, unescape_name

__all__ = ["resolve_in_workspace", "workspace_relative"]


def resolve_in_workspace(workspace: Path, path: str) -> Path:
    """The absolute, symlink-free path of `path` (relative to the workspace, or absolute).

    Raises:
        ToolError: the path leaves the workspace, through `..`, an absolute path or a
            symlink pointing outside, or cannot be resolved (a symlink loop).

    This check gives clear messages and serves the plan validator; it is not the
    boundary itself: file tools then open with `safe_open.open_beneath`, which the kernel
    keeps beneath the workspace even if the path changes after this check.
    """
    root = workspace.resolve()
    candidate = _absolute(root, path)
    if unescape_name(path) != path and not candidate.exists():
        # A name shown escaped (a byte that is not UTF-8 as `\xff`) names the real file.
        candidate = _absolute(root, unescape_name(path))
    try:
        resolved = candidate.resolve()  # follows symlinks, so a link out of the root is caught
    except (OSError, RuntimeError) as error:  # a symlink loop, or a path changing meanwhile
        raise ToolError(f"cannot resolve path {path!r} in the workspace: {error}") from None
    if resolved != root and root not in resolved.parents:
        raise ToolError(f"path {path!r} is outside the workspace {root}: use a path inside it")
    return resolved


def _absolute(root: Path, path: str) -> Path:
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else root / candidate


def workspace_relative(workspace: Path, path: Path) -> str:
    """`path` as the workspace-relative string users see (e.g. in file:line), escaped."""
    try:
        return escape_surrogates(path.resolve().relative_to(workspace.resolve()).as_posix() or ".")
    except (ValueError, OSError, RuntimeError):  # outside, or changing while resolved
        return escape_surrogates(str(path))
