"""Finding Python files under a root, naming their modules and parsing each one once.

Files that cannot be analysed (binary content, undecodable bytes, syntax errors, files
too large to be source) are skipped and reported with a reason instead of failing the
whole analysis.
"""

from __future__ import annotations

import ast
import io
import os
import stat
import tokenize
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from intelligent_office.python_ast import parse_module
from intelligent_office.safe_text import escape_surrogates
from intelligent_office.tools.safe_open import open_beneath

__all__ = [
    "ParsedFile",
    "SkippedFile",
    "SourceText",
    "find_python_files",
    "iter_parsed_files",
    "module_name",
    "package_prefix",
    "read_source",
]

# Generated data files can be huge; nothing that size is hand-written source.
MAX_FILE_BYTES = 5_000_000

_SKIPPED_DIRECTORIES = frozenset({"__pycache__", "node_modules"})


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """A parsed source file.

    Attributes:
        path: absolute path of the file.
        display_path: the path users see (posix, relative to the display base).
        module: dotted module name (`app.core.processing`; a package's `__init__` is `app.core`).
        is_package: whether the file is a package's `__init__.py`.
        tree: the parsed module.
    """

    path: Path
    display_path: str
    module: str
    is_package: bool
    tree: ast.Module


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file that could not be analysed, and why."""

    file: str
    reason: str


def find_python_files(root: Path) -> list[Path]:
    """The `.py` files under `root` (or `root` itself), sorted.

    Hidden directories, `__pycache__`, `node_modules` and virtual environments (a
    directory holding `pyvenv.cfg`) are not searched: they are not the project's code.
    """
    if root.is_file():
        return [root]
    found: list[Path] = []
    for directory, subdirectories, filenames in os.walk(root):
        subdirectories[:] = sorted(
            name
            for name in subdirectories
            if not name.startswith(".")
            and name not in _SKIPPED_DIRECTORIES
            and not os.path.exists(os.path.join(directory, name, "pyvenv.cfg"))
        )
        found.extend(Path(directory, name) for name in filenames if name.endswith(".py"))
    found.sort()
    return found


def package_prefix(root: Path) -> str:
    """The dotted package name of directory `root` when it lies inside a package.

    Analysing `sample_app/app` (which holds `__init__.py`) names its modules `app.main`
    rather than `main`, so that the package's absolute and relative imports resolve.
    """
    parts: list[str] = []
    directory = root
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        parts.append(directory.name)
        directory = directory.parent
    return escape_surrogates(".".join(reversed(parts)))


def module_name(path: Path, root: Path, prefix: str) -> tuple[str, bool]:
    """The dotted module name of `path` under `root`, and whether it is a package.

    Every directory counts as a package, with or without `__init__.py` (namespace
    packages), so the name follows the path.
    """
    relative = path.relative_to(root) if path != root else Path(path.name)
    parts = list(relative.with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    if prefix:
        parts = [*prefix.split("."), *parts]
    # A name that is not UTF-8 cannot be imported; escaped, it can at least be shown.
    return escape_surrogates(".".join(parts)), is_package


def iter_parsed_files(root: Path, display_base: Path) -> Iterator[ParsedFile | SkippedFile]:
    """Parse every Python file under `root` (a directory or one file), in path order.

    Files are parsed one at a time so that a caller can drop each tree once read.

    Args:
        root: the directory (or file) to analyse; absolute and resolved.
        display_base: file paths in the result are relative to this directory.
    """
    base = root if root.is_dir() else root.parent
    prefix = package_prefix(base)
    for path in find_python_files(root):
        display_path = _display(path, display_base)
        if path.is_symlink() and not path.resolve().is_relative_to(base):
            # A link must not let the analysis read files outside what it was given.
            yield SkippedFile(file=display_path, reason="symlink to a file outside the root")
            continue
        with warnings.catch_warnings():
            # Invalid escape sequences and the like warn at parse time; they are the
            # analysed project's business, and an "error" filter would turn them into
            # SyntaxErrors.
            warnings.simplefilter("ignore")
            tree_or_reason = _parse_file(base, path)
        if isinstance(tree_or_reason, str):
            yield SkippedFile(file=display_path, reason=tree_or_reason)
            continue
        module, is_package = module_name(path, base, prefix)
        yield ParsedFile(
            path=path,
            display_path=display_path,
            module=module,
            is_package=is_package,
            tree=tree_or_reason,
        )


def _display(path: Path, display_base: Path) -> str:
    try:
        return escape_surrogates(path.relative_to(display_base).as_posix())
    except ValueError:
        return escape_surrogates(path.as_posix())


def _parse_file(base: Path, path: Path) -> ast.Module | str:
    """The parsed module, or the reason the file cannot be parsed."""
    text = read_source(base, path)
    if not isinstance(text, SourceText):
        return text
    try:
        return parse_module(text.text, filename=str(path))
    except SyntaxError as error:
        return f"syntax error at line {error.lineno}: {error.msg}"
    except (ValueError, RecursionError, MemoryError) as error:
        return f"cannot parse: {type(error).__name__}: {error}"


@dataclass(frozen=True, slots=True)
class SourceText:
    """The decoded text of a source file."""

    text: str


def read_source(base: Path, path: Path) -> SourceText | str:
    """The decoded text of the source file `path`, or the reason it cannot be read.

    The file is opened beneath `base` (openat2 RESOLVE_BENEATH or an O_NOFOLLOW walk),
    so a link swapped in after the walk cannot make the analysis read outside it.
    """
    try:
        descriptor = open_beneath(
            base, path.relative_to(base).as_posix(), os.O_RDONLY | os.O_NONBLOCK
        )
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return "not a regular file"
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        return f"unreadable: {error.strerror or error}"
    if len(data) > MAX_FILE_BYTES:
        return f"too large to be source (over {MAX_FILE_BYTES:,} bytes)"
    if b"\x00" in data:
        return "binary file (contains NUL bytes)"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"  # an unusable declaration; decoding says where the bytes go wrong
    try:
        return SourceText(data.decode(encoding))
    except UnicodeDecodeError as error:
        byte = error.object[error.start]
        return f"undecodable as {error.encoding}: byte {byte:#04x} at offset {error.start}"
