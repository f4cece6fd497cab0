"""A textual cross-check of "who calls X": every place the name is used in the tree's code.

The call graph only holds the calls it could resolve. Searching the source for the
name itself (as a name token: not in strings or comments, not its own `def`, not an
import) finds the uses it missed, which an answer lists as possible callers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from intelligent_office.safe_text import escape_surrogates
from intelligent_office.tools.code_analyzer.parsing import (
    SourceText,
    find_python_files,
    read_source,
)

__all__ = ["NameUse", "name_uses"]

# A name right after one of these is being defined or imported, not used.
_NOT_A_USE = frozenset({"def", "class", "import", "as"})


@dataclass(frozen=True, slots=True)
class NameUse:
    """A line of code that uses a name."""

    file: str
    line: int
    text: str


def name_uses(
    root: Path, display_base: Path, name: str, *, calls_only: bool = False
) -> list[NameUse]:
    """Each line under `root` using `name` as an identifier, in file and line order.

    Args:
        root: the directory (or .py file) searched; absolute and resolved.
        display_base: file paths in the result are relative to this directory.
        name: a bare identifier (`make_context`).
        calls_only: only uses followed by `(` (for a class: not its annotations).
    """
    base = root if root.is_dir() else root.parent
    uses: list[NameUse] = []
    for path in find_python_files(root):
        if path.is_symlink() and not path.resolve().is_relative_to(base):
            continue
        source = read_source(base, path)
        if not isinstance(source, SourceText) or name not in source.text:
            continue
        lines = _lines_using(source.text, name, calls_only)
        text_lines = source.text.splitlines()
        shown = _display(path, display_base) if lines else ""
        uses += [
            NameUse(file=shown, line=line, text=text_lines[line - 1].strip()[:200])
            for line in lines
            if line <= len(text_lines)
        ]
    return uses


_TRIPLE = re.compile(r"(\"\"\"|\'\'\')")
_SHORT_STRING = re.compile(
    r"[rbfuRBFU]*(\"[^\"\\\n]*(?:\\.[^\"\\\n]*)*\"|'[^'\\\n]*(?:\\.[^'\\\n]*)*')"
)
_IMPORT = re.compile(r"^\s*(from\s+\S+\s+)?import\b")


def _lines_using(text: str, name: str, calls_only: bool) -> list[int]:
    """Line numbers where `name` is used in code: a line-by-line scan, fast on large trees.

    Triple-quoted strings are followed across lines; one-line strings and comments are
    blanked; an import statement (also in parentheses over several lines) is no use.
    """
    use = re.compile(
        rf"(?<![\w.])(?:(\w+)\s+)?{re.escape(name)}\b\s*(\(?)|\.{re.escape(name)}\b\s*(\(?)"
    )
    found: list[int] = []
    open_quote = ""  # the triple quote a string spanning lines was opened with
    in_import = False
    for number, line in enumerate(text.splitlines(), 1):
        code = _code_of(line, open_quote)
        open_quote = code.open_quote
        if in_import or _IMPORT.match(code.text):
            opens = in_import or "(" in code.text
            in_import = opens and ")" not in code.text  # `from m import (` ... `)`
            continue
        if name not in code.text:
            continue
        for match in use.finditer(code.text):
            keyword = match.group(1)
            if keyword in _NOT_A_USE:
                continue
            called = bool(match.group(2) or match.group(3))
            if calls_only and not called:
                continue
            found.append(number)
            break
    return found


@dataclass(frozen=True, slots=True)
class _Code:
    text: str
    open_quote: str


def _code_of(line: str, open_quote: str) -> _Code:
    """The line's code without strings and comments, and the triple quote left open."""
    parts = _TRIPLE.split(line)
    code: list[str] = []
    for index, part in enumerate(parts):
        if index % 2 == 1:  # a triple quote
            if not open_quote:
                open_quote = part
            elif part == open_quote:
                open_quote = ""
            code.append(" ")
        elif not open_quote:
            code.append(part)
    text = _SHORT_STRING.sub('""', "".join(code))
    return _Code(text=text.split("#", 1)[0], open_quote=open_quote)


def _display(path: Path, display_base: Path) -> str:
    try:
        return escape_surrogates(path.relative_to(display_base).as_posix())
    except ValueError:
        return escape_surrogates(path.as_posix())
