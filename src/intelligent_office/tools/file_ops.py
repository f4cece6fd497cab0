"""File tools: list, read, search and write files, all confined to the call's workspace.

Every path argument goes through `resolve_in_workspace`, so `..`, absolute paths and
symlinks that lead outside the workspace are refused. Walks skip hidden directories
(`.git`, `.venv`, ...), `__pycache__` and `node_modules`, do not descend into symlinked
directories, and leave out symlinked files that point outside the workspace.

`read_text_file` is the one place that reads a text file for a tool; `summarize_file`
uses it too, so both refuse the same paths with the same messages.
"""

from __future__ import annotations

import codecs
import contextlib
import difflib
import fnmatch
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from intelligent_office.errors import ToolError
from intelligent_office.models.risk import RiskLevel
from intelligent_office.tools.base import ToolContext, tool
from intelligent_office.tools.workspace import resolve_in_workspace, workspace_relative

__all__ = [
    "MAX_READ_BYTES",
    "MAX_WRITE_BYTES",
    "TextFile",
    "decode_text",
    "list_files",
    "read_file",
    "read_text_file",
    "search_files",
    "write_file",
]

MAX_READ_BYTES = 10 * 1024 * 1024
"""The largest `max_bytes` read_file accepts."""
MAX_WRITE_BYTES = 10 * 1024 * 1024
"""The most UTF-8 bytes write_file writes in one call."""
MAX_SEARCH_FILE_BYTES = 2 * 1024 * 1024
"""search_files skips larger files (reported in `skipped`)."""
MAX_SKIPPED_REPORTED = 100
"""search_files reports at most this many skipped files."""
MAX_LINE_CHARS = 300
"""A search match's text is cut to this many characters."""
MAX_SUGGESTION_CANDIDATES = 10_000
"""How many workspace files a not-found error compares against."""

_SKIPPED_DIRECTORIES = frozenset({"__pycache__", "node_modules"})


class ListFilesResult(TypedDict):
    """What list_files returns."""

    path: str
    files: list[str]
    truncated: bool


class ReadFileResult(TypedDict):
    """What read_file returns."""

    path: str
    content: str
    size: int
    truncated: bool


class SearchMatch(TypedDict):
    """One matching line."""

    file: str
    line: int
    text: str


class SkippedFile(TypedDict):
    """A file search_files did not search, and why."""

    file: str
    reason: str


class SearchFilesResult(TypedDict):
    """What search_files returns."""

    pattern: str
    path: str
    matches: list[SearchMatch]
    files_searched: int
    skipped: list[SkippedFile]
    truncated: bool


class WriteFileResult(TypedDict):
    """What write_file returns."""

    path: str
    bytes_written: int
    created: bool


@dataclass(frozen=True)
class TextFile:
    """A text file read for a tool.

    Attributes:
        path: workspace-relative posix path.
        content: the decoded text (the first `max_bytes` bytes of it).
        size: the file's size in bytes.
        truncated: whether the file is longer than what `content` holds.
    """

    path: str
    content: str
    size: int
    truncated: bool


def decode_text(data: bytes, *, complete: bool = True) -> str | None:
    """`data` as UTF-8 text, or None when it looks binary (NUL bytes or not UTF-8).

    Args:
        data: the bytes read.
        complete: False when `data` was cut short, so a character split at the end is
            dropped rather than taken as a sign of binary data.
    """
    if b"\x00" in data:
        return None
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(data, final=complete)
    except UnicodeDecodeError:
        return None


def read_text_file(workspace: Path, path: str, max_bytes: int) -> TextFile:
    """Read a text file inside the workspace, refusing what read_file refuses.

    Raises:
        ToolError: the path leaves the workspace, does not exist (with suggestions),
            is a directory or not a regular file, cannot be read, or is binary.
    """
    if not 1 <= max_bytes <= MAX_READ_BYTES:
        raise ToolError(f"max_bytes must be between 1 and {MAX_READ_BYTES}, got {max_bytes}")
    resolved = resolve_in_workspace(workspace, path)
    shown = workspace_relative(workspace, resolved)
    if not resolved.exists():
        raise ToolError(_not_found_message(workspace, path, shown))
    if resolved.is_dir():
        raise ToolError(f"{shown} is a directory, not a file: use list_files to see what it holds")
    if not resolved.is_file():
        raise ToolError(f"{shown} is not a regular file")
    try:
        with resolved.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            data = handle.read(max_bytes + 1)
    except OSError as error:
        raise ToolError(f"cannot read {shown}: {error.strerror or error}") from None
    truncated = len(data) > max_bytes
    text = decode_text(data[:max_bytes], complete=not truncated)
    if text is None:
        raise ToolError(f"{shown} is a binary file (not UTF-8 text): only text files can be read")
    return TextFile(path=shown, content=text, size=max(size, len(data)), truncated=truncated)


@tool(path_parameters=["path"])
def list_files(
    ctx: ToolContext,
    path: str = ".",
    pattern: str = "*",
    recursive: bool = True,
    max_entries: int = 1000,
) -> ListFilesResult:
    """List the files in a workspace directory, sorted, skipping hidden and cache directories.

    Args:
        path: the directory to list, relative to the workspace.
        pattern: a glob matched against each file's name, e.g. "*.py"; a pattern with "/"
            is matched against the path relative to `path` instead.
        recursive: whether to list subdirectories too.
        max_entries: the most paths to return; `truncated` says when there were more.
    """
    if max_entries < 1:
        raise ToolError(f"max_entries must be at least 1, got {max_entries}")
    root = _existing_directory(ctx.workspace, path)
    workspace_root = ctx.workspace.resolve()
    found = sorted(
        file.relative_to(workspace_root).as_posix()
        for file in _walk_files(root, workspace_root, pattern, recursive=recursive)
    )
    return {
        "path": workspace_relative(ctx.workspace, root),
        "files": found[:max_entries],
        "truncated": len(found) > max_entries,
    }


@tool(path_parameters=["path"])
def read_file(ctx: ToolContext, path: str, max_bytes: int = 200_000) -> ReadFileResult:
    """Read a UTF-8 text file from the workspace.

    Args:
        path: the file to read, relative to the workspace.
        max_bytes: the most bytes to return; `truncated` says when the file is longer.
    """
    text = read_text_file(ctx.workspace, path, max_bytes)
    return {
        "path": text.path,
        "content": text.content,
        "size": text.size,
        "truncated": text.truncated,
    }


@tool(path_parameters=["path"])
def search_files(
    ctx: ToolContext,
    pattern: str,
    path: str = ".",
    glob: str = "*",
    ignore_case: bool = False,
    max_matches: int = 200,
) -> SearchFilesResult:
    """Search text files in the workspace for lines matching a regular expression.

    Args:
        pattern: a Python regular expression searched for in each line.
        path: a directory to search recursively, or a single file, relative to the workspace.
        glob: only search files whose name matches this glob, e.g. "*.md".
        ignore_case: whether matching ignores upper and lower case.
        max_matches: the most matching lines to return; `truncated` says when there were more.
    """
    if max_matches < 1:
        raise ToolError(f"max_matches must be at least 1, got {max_matches}")
    try:
        regex = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    except re.error as error:
        raise ToolError(f"invalid regular expression {pattern!r}: {error}") from None
    workspace_root = ctx.workspace.resolve()
    target = resolve_in_workspace(ctx.workspace, path)
    if target.is_file():
        files: Iterator[Path] = iter([target])
    else:
        files = _walk_files(
            _existing_directory(ctx.workspace, path), workspace_root, glob, recursive=True
        )
    result: SearchFilesResult = {
        "pattern": pattern,
        "path": workspace_relative(ctx.workspace, target),
        "matches": [],
        "files_searched": 0,
        "skipped": [],
        "truncated": False,
    }
    for file in files:
        shown = file.relative_to(workspace_root).as_posix()
        lines, reason = _text_lines(file)
        if lines is None:
            if len(result["skipped"]) < MAX_SKIPPED_REPORTED:
                result["skipped"].append({"file": shown, "reason": reason})
            continue
        result["files_searched"] += 1
        for number, line in enumerate(lines, start=1):
            if not regex.search(line):
                continue
            if len(result["matches"]) == max_matches:
                result["truncated"] = True
                return result
            result["matches"].append(
                {"file": shown, "line": number, "text": line.strip()[:MAX_LINE_CHARS]}
            )
    return result


@tool(risk=RiskLevel.MEDIUM, idempotent=True, path_parameters=["path"])
def write_file(
    ctx: ToolContext, path: str, content: str, overwrite: bool = True
) -> WriteFileResult:
    """Write a UTF-8 text file in the workspace atomically, creating parent directories.

    Args:
        path: the file to write, relative to the workspace.
        content: the complete new text of the file.
        overwrite: whether to replace the file if it exists; when false an existing file
            is an error.
    """
    target = resolve_in_workspace(ctx.workspace, path)
    shown = workspace_relative(ctx.workspace, target)
    data = content.encode("utf-8")
    if len(data) > MAX_WRITE_BYTES:
        raise ToolError(
            f"content for {shown} is {len(data)} bytes, more than the {MAX_WRITE_BYTES} "
            "write_file allows: write smaller files"
        )
    if target.is_dir():
        raise ToolError(f"{shown} is a directory: give the path of a file")
    existed = target.exists()
    if existed and not overwrite:
        raise ToolError(f"{shown} already exists: pass overwrite=true to replace it")
    if existed and not target.is_file():
        raise ToolError(f"{shown} is not a regular file: choose another path")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(target, data)
    except OSError as error:
        raise ToolError(f"cannot write {shown}: {error.strerror or error}") from None
    return {"path": shown, "bytes_written": len(data), "created": not existed}


def _write_atomically(target: Path, data: bytes) -> None:
    """Write to a temporary file beside `target`, then rename it over `target`.

    Readers see the old content or the new, never half a file.
    """
    mode = target.stat().st_mode & 0o7777 if target.exists() else 0o644
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _existing_directory(workspace: Path, path: str) -> Path:
    resolved = resolve_in_workspace(workspace, path)
    shown = workspace_relative(workspace, resolved)
    if not resolved.exists():
        raise ToolError(f"{shown} not found in the workspace: use list_files to see what exists")
    if not resolved.is_dir():
        raise ToolError(f"{shown} is a file, not a directory: use read_file to read it")
    return resolved


def _walk_files(
    root: Path, workspace_root: Path, pattern: str, *, recursive: bool
) -> Iterator[Path]:
    """Files under `root` whose name matches `pattern`, in a stable order.

    Skips hidden and cache directories, does not follow symlinked directories, and
    leaves out symlinked files that point outside the workspace.
    """
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(name for name in dirnames if not _skipped(name)) if recursive else []
        for name in sorted(filenames):
            file = Path(directory, name)
            relative = file.relative_to(root).as_posix()
            if not fnmatch.fnmatchcase(relative if "/" in pattern else name, pattern):
                continue
            if file.is_symlink() and not file.resolve().is_relative_to(workspace_root):
                continue
            yield file


def _skipped(directory_name: str) -> bool:
    return directory_name.startswith(".") or directory_name in _SKIPPED_DIRECTORIES


def _text_lines(file: Path) -> tuple[list[str] | None, str]:
    """The lines of a text file to search, or None and the reason it was skipped."""
    try:
        if not file.is_file():
            return None, "not a regular file"
        if file.stat().st_size > MAX_SEARCH_FILE_BYTES:
            return None, f"larger than {MAX_SEARCH_FILE_BYTES} bytes"
        text = decode_text(file.read_bytes())
    except OSError as error:
        return None, f"unreadable: {error.strerror or error}"
    if text is None:
        return None, "binary"
    return text.splitlines(), ""


def _not_found_message(workspace: Path, requested: str, shown: str) -> str:
    suggestions = _similar_files(workspace, shown)
    hint = (
        "did you mean " + ", ".join(repr(name) for name in suggestions) + "?"
        if suggestions
        else "use list_files to see what exists"
    )
    return f"file {requested!r} not found in the workspace: {hint}"


def _similar_files(workspace: Path, wanted: str, limit: int = 3) -> list[str]:
    """Up to `limit` workspace files whose path or name looks like `wanted`."""
    workspace_root = workspace.resolve()
    wanted_name = wanted.rsplit("/", 1)[-1].lower()
    scored: list[tuple[float, str]] = []
    for index, file in enumerate(_walk_files(workspace_root, workspace_root, "*", recursive=True)):
        if index == MAX_SUGGESTION_CANDIDATES:
            break
        relative = file.relative_to(workspace_root).as_posix()
        score = max(
            difflib.SequenceMatcher(None, wanted.lower(), relative.lower()).ratio(),
            difflib.SequenceMatcher(None, wanted_name, file.name.lower()).ratio(),
        )
        if score >= 0.6:
            scored.append((score, relative))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [relative for _, relative in scored[:limit]]
