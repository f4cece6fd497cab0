"""File tools: list, read, search and write files, all confined to the call's workspace.

Every path argument goes through `resolve_in_workspace`, so `..`, absolute paths and
symlinks that lead outside the workspace are refused with a clear message. That check
alone would race (a directory swapped for a symlink between check and open), so every
file is then opened with `safe_open.open_beneath`: the kernel keeps the resolution
beneath the workspace (openat2 RESOLVE_BENEATH, or an O_NOFOLLOW walk on old kernels).

Files are opened O_NONBLOCK and checked with fstat, so FIFOs, devices and sockets are
refused without hanging. A regular file with more than one hard link is refused for
reading and writing: its other name may be a file outside the workspace. write_file
refuses to write through a symlink, and writes atomically (a temporary file beside the
target, then a rename, both relative to the opened parent directory).

A file name that is not UTF-8 (b"\\xff.txt") is shown escaped ("\\xff.txt", see
`safe_text`), and the escaped form names the file again in any path argument.

Walks skip hidden directories (`.git`, `.venv`, ...), `__pycache__` and `node_modules`,
do not descend into symlinked directories, and leave out symlinked files that point
outside the workspace.

`read_text_file` is the one place that reads a text file for a tool; `summarize_file`
uses it too, so both refuse the same paths with the same messages.
"""

from __future__ import annotations

import codecs
import contextlib
import difflib
import errno
import fnmatch
import os
import re
import secrets
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from intelligent_office.errors import ToolError
from intelligent_office.models.risk import RiskLevel
from intelligent_office.safe_text import escape_surrogates
from intelligent_office.tools.base import ToolContext, tool
from intelligent_office.tools.safe_open import open_beneath, open_directory_beneath, opened
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
    try:
        descriptor = _open_regular_file(workspace, resolved, shown)
    except FileNotFoundError:
        raise ToolError(_not_found_message(workspace, path, shown)) from None
    try:
        with os.fdopen(descriptor, "rb") as handle:
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
        escape_surrogates(file.relative_to(workspace_root).as_posix())
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
        shown = escape_surrogates(file.relative_to(workspace_root).as_posix())
        lines, reason = _text_lines(ctx.workspace, file)
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
    # The name as given, not as resolved: a symlink there is refused, not followed.
    requested = Path(path).expanduser()
    root = ctx.workspace.resolve()
    requested = requested if requested.is_absolute() else root / requested
    parent = resolve_in_workspace(ctx.workspace, str(requested.parent))
    shown = escape_surrogates((parent / requested.name).relative_to(root).as_posix())
    try:
        with opened(
            open_directory_beneath(root, parent.relative_to(root).as_posix(), create=True)
        ) as directory:
            existing = _existing_entry(directory, requested.name, shown)
            if existing is not None and not overwrite:
                raise ToolError(f"{shown} already exists: pass overwrite=true to replace it")
            mode = existing.st_mode & 0o7777 if existing is not None else 0o644
            _write_atomically(directory, requested.name, data, mode)
    except OSError as error:
        raise ToolError(_open_error_message(shown, error, "write")) from None
    return {"path": shown, "bytes_written": len(data), "created": existing is None}


def _existing_entry(directory: int, name: str, shown: str) -> os.stat_result | None:
    """The stat of `name` in `directory` when it is a file write_file may replace."""
    if name in ("", ".", ".."):
        raise ToolError(f"{shown} is a directory: give the path of a file")
    try:
        existing = os.stat(name, dir_fd=directory, follow_symlinks=False)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(existing.st_mode):
        raise ToolError(
            f"{shown} is a symbolic link: write_file does not write through links; "
            "write to the file it points to, or delete the link first"
        )
    if stat.S_ISDIR(existing.st_mode):
        raise ToolError(f"{shown} is a directory: give the path of a file")
    if not stat.S_ISREG(existing.st_mode):
        raise ToolError(f"{shown} is not a regular file: choose another path")
    if existing.st_nlink > 1:
        raise ToolError(_hard_link_message(shown, existing.st_nlink))
    return existing


def _write_atomically(directory: int, name: str, data: bytes, mode: int) -> None:
    """Write to a temporary file beside `name`, then rename it over `name`.

    Readers see the old content or the new, never half a file. Both names are relative
    to the already opened `directory`, so nothing is resolved again; the rename replaces
    whatever entry is there (even a symlink planted meanwhile) rather than writing
    through it.
    """
    temporary = f".{name}.{secrets.token_hex(6)}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    descriptor = os.open(temporary, flags, 0o600, dir_fd=directory)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(temporary, name, src_dir_fd=directory, dst_dir_fd=directory)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary, dir_fd=directory)
        raise


def _open_regular_file(workspace: Path, resolved: Path, shown: str) -> int:
    """A read-only descriptor of the regular file `resolved`, opened beneath the workspace.

    Raises:
        FileNotFoundError: there is no such file.
        ToolError: the path escapes (a race or a planted link), or is not a regular file
            with a single link.
    """
    root = workspace.resolve()
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY  # NONBLOCK: a FIFO must not hang us
    try:
        descriptor = open_beneath(root, resolved.relative_to(root).as_posix(), flags)
    except FileNotFoundError:
        raise
    except OSError as error:
        raise ToolError(_open_error_message(shown, error, "read")) from None
    try:
        found = os.fstat(descriptor)
        if stat.S_ISDIR(found.st_mode):
            raise ToolError(
                f"{shown} is a directory, not a file: use list_files to see what it holds"
            )
        if not stat.S_ISREG(found.st_mode):
            raise ToolError(f"{shown} is not a regular file (a FIFO, device or socket)")
        if found.st_nlink > 1:
            raise ToolError(_hard_link_message(shown, found.st_nlink))
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def _open_error_message(shown: str, error: OSError, verb: str) -> str:
    if error.errno == errno.EXDEV:
        return (
            f"path {shown!r} leads outside the workspace (a symlink or a path changed while "
            "it was opened): use a path inside it"
        )
    if error.errno == errno.ELOOP:
        return f"path {shown!r} goes through a symbolic link that was refused: use the real path"
    if error.errno == errno.ENXIO:
        return f"{shown} is not a regular file (a FIFO, device or socket)"
    return f"cannot {verb} {shown}: {error.strerror or error}"


def _hard_link_message(shown: str, links: int) -> str:
    return (
        f"{shown} has {links} hard links, so another name for it may be outside the "
        "workspace: refused; copy the file instead of linking it"
    )


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

    Skips hidden and cache directories, does not follow symlinked directories (fwalk
    checks each directory it enters is the one it listed, so a swap is not followed),
    and leaves out symlinked files that point outside the workspace.
    """
    for directory, dirnames, filenames, _ in os.fwalk(root):
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


def _text_lines(workspace: Path, file: Path) -> tuple[list[str] | None, str]:
    """The lines of a text file to search, or None and the reason it was skipped."""
    try:
        resolved = resolve_in_workspace(workspace, str(file))
        shown = workspace_relative(workspace, resolved)
        with os.fdopen(_open_regular_file(workspace, resolved, shown), "rb") as handle:
            if os.fstat(handle.fileno()).st_size > MAX_SEARCH_FILE_BYTES:
                return None, f"larger than {MAX_SEARCH_FILE_BYTES} bytes"
            text = decode_text(handle.read(MAX_SEARCH_FILE_BYTES + 1))
    except ToolError as error:
        return None, str(error)
    except OSError as error:
        return None, f"unreadable: {error.strerror or error}"
    if text is None:
        return None, "binary"
    return text.splitlines(), ""


def _not_found_message(workspace: Path, requested: str, shown: str) -> str:
    suggestions = _similar_files(workspace, shown)
    hint = (
        "did you mean " + ", ".join(f"'{name}'" for name in suggestions) + "?"
        if suggestions
        else "use list_files to see what exists"
    )
    return f"file '{escape_surrogates(requested)}' not found in the workspace: {hint}"


def _similar_files(workspace: Path, wanted: str, limit: int = 3) -> list[str]:
    """Up to `limit` workspace files whose path or name looks like `wanted`."""
    workspace_root = workspace.resolve()
    wanted_name = wanted.rsplit("/", 1)[-1].lower()
    scored: list[tuple[float, str]] = []
    for index, file in enumerate(_walk_files(workspace_root, workspace_root, "*", recursive=True)):
        if index == MAX_SUGGESTION_CANDIDATES:
            break
        relative = escape_surrogates(file.relative_to(workspace_root).as_posix())
        score = max(
            difflib.SequenceMatcher(None, wanted.lower(), relative.lower()).ratio(),
            difflib.SequenceMatcher(None, wanted_name, file.name.lower()).ratio(),
        )
        if score >= 0.6:
            scored.append((score, relative))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [relative for _, relative in scored[:limit]]
