"""A textual cross-check of "who calls X": every place the name is used in the tree's code.

The call graph only holds the calls it could resolve. Searching the source for the
name itself (as a name token: not in strings or comments, not its own `def`, not an
import) finds the uses it missed, which an answer lists as possible callers.
"""

from __future__ import annotations

import io
import tokenize
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


def name_uses(root: Path, display_base: Path, name: str, *, calls_only: bool = False) -> list[NameUse]:
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


_SKIPPED_TOKENS = frozenset({tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT})


def _lines_using(text: str, name: str, calls_only: bool) -> list[int]:
    tokens: list[tokenize.TokenInfo] = []
    try:
        tokens = [
            token
            for token in tokenize.generate_tokens(io.StringIO(text).readline)
            if token.type not in _SKIPPED_TOKENS
        ]
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass  # the parse reports such a file as skipped; keep what was read
    found: list[int] = []
    in_import = False
    for index, token in enumerate(tokens):
        previous = tokens[index - 1] if index else None
        starts_line = previous is None or previous.type == tokenize.NEWLINE
        if token.type == tokenize.NEWLINE:
            in_import = False  # a logical line ends; NL inside `import (...)` does not
        elif token.type == tokenize.NAME and token.string in ("import", "from") and starts_line:
            in_import = True
        if token.type != tokenize.NAME or token.string != name or in_import:
            continue
        if previous is not None and previous.string in _NOT_A_USE:
            continue
        following = tokens[index + 1].string if index + 1 < len(tokens) else ""
        if calls_only and following != "(":
            continue
        if not found or found[-1] != token.start[0]:
            found.append(token.start[0])
    return found


def _display(path: Path, display_base: Path) -> str:
    try:
        return escape_surrogates(path.relative_to(display_base).as_posix())
    except ValueError:
        return escape_surrogates(path.as_posix())
