"""The prose of a file, as sentences: what a summary picks from and a reviewer checks against.

The file's kind comes from its name. Markdown and plain text: code fences, indented code,
headings, rules, tables, link definitions and HTML comments are dropped; each bullet is a
unit of its own. reStructuredText: section titles, directives and comments, literal
blocks after `::`, doctests and tables are dropped; each bullet and field is a unit.
Python: the docstrings (read as reStructuredText, without their Args/Returns sections)
and the comments. Other code: its comments. Inline markup is removed in every kind
(`` `x` ``, ``**x**``, ``:role:`x` ``, `` `text <url>`_ ``, links, tags), and lines of a
paragraph are joined, so a sentence broken over lines is one sentence.

`split_sentences(text, name)` is the one reading: the summarizer and the offline reviewer
both call it, so a summary sentence is always found in the file read the same way.
"""

from __future__ import annotations

import ast
import inspect
import io
import re
import tokenize
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Literal

from intelligent_office.python_ast import parse_module

__all__ = ["DocumentKind", "document_kind", "split_sentences"]

DocumentKind = Literal["markdown", "rst", "python", "code", "text"]

_CODE_SUFFIXES = frozenset(
    "js jsx ts tsx mjs cjs java kt scala c h cc cpp hpp cs go rs swift php rb pl sh bash zsh"
    " lua r sql css scss".split()
)
_HASH_COMMENTS = frozenset("sh bash zsh rb pl r".split())
_ABBREVIATIONS = frozenset(
    "e.g i.e etc vs mr mrs ms dr prof sr jr st no fig al approx cf inc ltd co".split()
)

# Markdown and plain text
_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(\s|$)")
_RULE = re.compile(r"^\s*([-=*_]\s*){3,}$")
_TABLE_ROW = re.compile(r"^\s*\|")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)]|#\.)\s+")
_QUOTE = re.compile(r"^\s*>\s?")
_LINK_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_DOCTEST = re.compile(r"^\s*(>>>|\.\.\.\s)")
# reStructuredText
_ADORNMENT = re.compile(r"^([=\-~^\"'`#*+<>:._!$%&,;?@\\|/])\1{2,}\s*$")
_EXPLICIT = re.compile(r"^(\s*)\.\.(\s|$)")
_GRID = re.compile(r"^\s*\+[-=+]+\+?\s*$")
_SIMPLE_TABLE = re.compile(r"^\s*=+(\s+=+)+\s*$")
_FIELD = re.compile(r"^\s*:([^:`][^:]*):(\s+|$)")
# Sphinx's fields for parameters and return values: reference, not prose.
_INFO_FIELD = re.compile(
    r"^\s*:(?:param|parameter|arg|argument|key|keyword|kwarg|type|raises?|raise|except"
    r"|exception|var|ivar|cvar|vartype|returns?|rtype|yields?|ytype|meta)\b[^:]*:"
)
_DOCSTRING_SECTION = re.compile(
    r"^\s*(Args|Arguments|Parameters|Params|Returns?|Yields?|Raises|Attributes|Keyword Args"
    r"|Other Parameters|Examples?|Example usage|Usage|See Also|Warns):\s*$"
)
# Inline markup
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_RST_LINK = re.compile(r"`([^`<]+?)\s*<[^>`]+>`__?")
_RST_ROLE = re.compile(r":[\w.+-]+(?::[\w.+-]+)?:`~?!?([^`<]+?)(?:\s*<[^>`]+>)?`")
_RST_REFERENCE = re.compile(r"`([^`]+)`__?")
_SUBSTITUTION = re.compile(r"\|([\w .-]+)\|")
_TAG = re.compile(r"<[^>\s][^>]*>")
_EMPHASIS = re.compile(r"(\*\*|\*|``|`)")  # not underscores: identifiers like __all__ keep theirs
_BOUNDARY = re.compile(r"[.!?][\"')\]”’]*\s+(?=[\"'(\[“‘]?[A-Z0-9])")
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)*")


def document_kind(name: str) -> DocumentKind:
    """How a file's prose is read, by its name's suffix (no suffix: plain text)."""
    suffix = PurePosixPath(name).suffix.lower().lstrip(".")
    if suffix in ("md", "markdown", "mdx"):
        return "markdown"
    if suffix in ("rst", "rest"):
        return "rst"
    if suffix in ("py", "pyi"):
        return "python"
    if suffix in _CODE_SUFFIXES:
        return "code"
    return "text"


def split_sentences(text: str, name: str = "") -> list[str]:
    """The sentences of a file's prose, in order; `name` (its file name) says how to read it."""
    kind = document_kind(name)
    if kind == "python":
        blocks = list(_python_prose(text))
    elif kind == "code":
        blocks = _comment_blocks(text, hash_comments=_suffix(name) in _HASH_COMMENTS)
    elif kind == "rst":
        blocks = _rst_paragraphs(text)
    else:
        blocks = _markdown_paragraphs(text, indented_code=kind == "markdown")
    sentences: list[str] = []
    for paragraph in blocks:
        sentences.extend(_split_paragraph(_strip_markup(paragraph)))
    return sentences


def _suffix(name: str) -> str:
    return PurePosixPath(name).suffix.lower().lstrip(".")


class _Blocks:
    """Paragraphs being collected: lines joined, closed at a blank line or a new unit."""

    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.current: list[str] = []

    def add(self, line: str) -> None:
        self.current.append(line.strip())

    def close(self) -> None:
        if self.current:
            self.paragraphs.append(" ".join(self.current))
            self.current.clear()


def _markdown_paragraphs(text: str, *, indented_code: bool = True) -> list[str]:
    """Blocks of prose of Markdown or plain text (`indented_code`: Markdown's code blocks)."""
    lines = _HTML_COMMENT.sub("", text).splitlines()
    blocks = _Blocks()
    in_fence = in_doctest = False
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if _FENCE.match(line):
            in_fence = not in_fence
            blocks.close()
            continue
        # A doctest runs to the next blank line: its output lines are not prose either.
        in_doctest = bool(line.strip()) and (in_doctest or bool(_DOCTEST.match(line)))
        blank_before = index == 0 or not lines[index - 1].strip()
        code = (
            indented_code
            and line.startswith(("    ", "\t"))
            and blank_before
            and not blocks.current
            and not _BULLET.match(line)
        )
        if (
            in_fence
            or in_doctest
            or not line.strip()
            or _HEADING.match(line)
            or _RULE.match(line)
            or _TABLE_ROW.match(line)
            or _LINK_DEFINITION.match(line)
            or code
            or (line.strip() and re.fullmatch(r"\s*(=+|-+)\s*", following) and blank_before)
        ):
            blocks.close()  # a setext heading is its text line above a === or --- line
            continue
        line = _QUOTE.sub("", line)
        bullet = _BULLET.match(line)
        if bullet:
            blocks.close()
            line = line[bullet.end() :]
        blocks.add(line)
    blocks.close()
    return blocks.paragraphs


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _rst_paragraphs(text: str) -> list[str]:
    """Blocks of prose of reStructuredText (docstrings included)."""
    lines = text.expandtabs().splitlines()
    blocks = _Blocks()
    skip_deeper_than: int | None = None  # a directive's or literal block's body
    in_table = in_doctest = literal_next = False
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        in_doctest = bool(line.strip()) and (in_doctest or bool(_DOCTEST.match(line)))
        if in_doctest:
            blocks.close()
            continue
        if skip_deeper_than is not None:
            if not line.strip() or _indent(line) > skip_deeper_than:
                continue
            skip_deeper_than = None
        if not line.strip():
            blocks.close()
            continue
        if literal_next:
            literal_next = False
            if _indent(line) > 0 or _DOCTEST.match(line):
                blocks.close()
                skip_deeper_than = _indent(line) - 1
                continue
        if _SIMPLE_TABLE.match(line):
            blocks.close()  # a table's first border opens it; one before a blank closes it
            in_table = not in_table or bool(following.strip())
            continue
        explicit = _EXPLICIT.match(line)
        if explicit:
            blocks.close()
            skip_deeper_than = len(explicit.group(1))
            continue
        if (
            in_table
            or _ADORNMENT.match(line)
            or _ADORNMENT.match(following.strip())
            and len(following.strip()) >= 3
            or _GRID.match(line)
            or _TABLE_ROW.match(line)
        ):
            blocks.close()
            continue
        if _DOCSTRING_SECTION.match(line) or _INFO_FIELD.match(line):
            blocks.close()
            skip_deeper_than = _indent(line)
            continue
        unit = _BULLET.match(line) or _FIELD.match(line)
        if unit:
            blocks.close()
            if _FIELD.match(line):
                line = _FIELD.sub(lambda m: f"{m.group(1).strip()}: ", line, count=1)
            else:
                line = line[unit.end() :]
        stripped = line.rstrip()
        if stripped.endswith("::"):
            literal_next = True
            line = stripped[:-2].rstrip() + (":" if stripped[:-2].strip() else "")
        blocks.add(line)
    blocks.close()
    return blocks.paragraphs


def _python_prose(source: str) -> Iterator[str]:
    """The docstrings and comments of a Python module, in the order they appear."""
    found: list[tuple[int, list[str]]] = []
    try:
        tree = parse_module(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        yield from _comment_blocks(source, hash_comments=True)
        return
    for node in ast.walk(tree):
        if not isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        docstring = ast.get_docstring(node, clean=False)
        if docstring:
            line = 0 if isinstance(node, ast.Module) else node.lineno
            found.append((line, _rst_paragraphs(inspect.cleandoc(docstring))))
    found.extend(_python_comments(source))
    for _, paragraphs in sorted(found, key=lambda item: item[0]):
        yield from paragraphs


def _python_comments(source: str) -> Iterator[tuple[int, list[str]]]:
    """Runs of `#` comment lines as paragraphs, with the line each starts on."""
    run: list[str] = []
    start = 0
    last = -2
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        text = token.string.lstrip("#").strip()
        line = token.start[0]
        if _is_directive_comment(text) or line == 1 and text.startswith("!"):
            continue
        if line != last + 1 and run:
            yield start, [" ".join(run)]
            run = []
        if not run:
            start = line
        run.append(text)
        last = line
    if run:
        yield start, [" ".join(run)]


def _is_directive_comment(text: str) -> bool:
    """`# type: ignore`, `# noqa`, `# fmt: off`, `# -*- coding -*-` and friends say nothing."""
    return not re.search(r"[A-Za-z]{2}", text) or bool(
        re.match(r"(type:|noqa|pragma|fmt:|pylint:|mypy:|ruff:|isort:|-\*-)", text)
    )


def _comment_blocks(text: str, *, hash_comments: bool) -> list[str]:
    """The comments of source code other than Python: `//`, `/* ... */` and `#` lines."""
    paragraphs: list[str] = []
    for block in re.findall(r"/\*+(.*?)\*/", text, re.DOTALL):
        lines = [re.sub(r"^\s*\*+\s?", "", line) for line in block.splitlines()]
        paragraphs.extend(_markdown_paragraphs("\n".join(lines)))
    marker = r"(?://|#)" if hash_comments else r"//"
    run: list[str] = []
    for line in text.splitlines():
        comment = re.match(rf"^\s*{marker}+\s?(.*)$", line)
        if comment and not _is_directive_comment(comment.group(1)):
            run.append(comment.group(1))
            continue
        if run:
            paragraphs.extend(_markdown_paragraphs("\n".join(run)))
            run = []
    if run:
        paragraphs.extend(_markdown_paragraphs("\n".join(run)))
    return paragraphs


def _strip_markup(paragraph: str) -> str:
    paragraph = _IMAGE.sub("", paragraph)
    paragraph = _LINK.sub(r"\1", paragraph)
    paragraph = _RST_LINK.sub(r"\1", paragraph)
    paragraph = _RST_ROLE.sub(r"\1", paragraph)
    paragraph = _RST_REFERENCE.sub(r"\1", paragraph)
    paragraph = _SUBSTITUTION.sub(r"\1", paragraph)
    paragraph = _TAG.sub("", paragraph)
    paragraph = _EMPHASIS.sub("", paragraph)
    return re.sub(r"\s+", " ", paragraph).strip()


def _split_paragraph(paragraph: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for boundary in _BOUNDARY.finditer(paragraph):
        if _ends_with_abbreviation(paragraph[start : boundary.start() + 1]):
            continue
        sentences.append(paragraph[start : boundary.end()].strip())
        start = boundary.end()
    sentences.append(paragraph[start:].strip())
    return [sentence for sentence in sentences if _WORD.search(sentence.lower())]


def _ends_with_abbreviation(text: str) -> bool:
    """Whether the period ending `text` belongs to an abbreviation or an initial."""
    if not text.endswith("."):
        return False
    last_word = text[:-1].rsplit(None, 1)[-1] if text[:-1].strip() else ""
    last_word = last_word.lstrip("(\"'").lower()
    return last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha())
