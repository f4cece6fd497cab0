"""The parts of a request that are not keywords: function names, paths, patterns, code.

A masked, normalised request is cut into `Token`s. Each is a keyword or plain word
(typos corrected), a literal the person quoted, a name of code (`process_data()`,
`Pipeline.run`, `ProgressBar`), a path (`app/core`, `app\\core\\x.py`, `README.md`,
`.`), a glob (`*.py`, `.py`), a number, an arrow or a punctuation mark. Which slot a
bare word fills (`trace secho to style`) is for the intent readers to decide from
where it stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from intelligent_office.llm.offline.understanding.fuzzy import correct
from intelligent_office.llm.offline.understanding.normalise import MARKER, Literal, Masked

__all__ = ["Kind", "Token", "clean_path", "is_identifier", "looks_like_path", "tokenise"]


class Kind(StrEnum):
    """What a token is."""

    WORD = "word"
    NAME = "name"
    PATH = "path"
    GLOB = "glob"
    LITERAL = "literal"
    NUMBER = "number"
    ARROW = "arrow"
    PUNCT = "punct"


@dataclass(frozen=True)
class Token:
    """One piece of a request: its text as written, and the keyword it reads as."""

    text: str
    word: str
    kind: Kind
    literal: Literal | None = None

    @property
    def strong_name(self) -> bool:
        """Written the way only code is: `f()`, `a.b`, `snake_case`, `CamelCase`."""
        return self.kind is Kind.NAME

    def name(self) -> str | None:
        """The function or class this token names, without `()`, if it can name one."""
        if self.kind is Kind.NAME:
            return self.text.removesuffix("()")
        if self.kind is Kind.LITERAL and self.literal is not None:
            text = self.literal.text.strip().removesuffix("()")
            return text if is_identifier(text) else None
        if self.kind is Kind.WORD and is_identifier(self.text):
            return self.text
        return None

    def path(self) -> str | None:
        """The path this token gives, if it gives one."""
        if self.kind is Kind.PATH:
            return clean_path(self.text)
        if self.kind is Kind.LITERAL and self.literal is not None:
            text = self.literal.text.strip()
            return clean_path(text) if text and " " not in text else None
        if self.kind in (Kind.WORD, Kind.NAME) and re.fullmatch(r"[\w-]+", self.text):
            return self.text  # a bare folder name: "app", "sample_app"
        return None


_TOKEN = re.compile(
    r"⟦\d+⟧"
    r"|->|→|=>|⇒|⟶"
    r"|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*\(\)"
    r"|[\w.~*?-]*[/\\][\w./\\~*?-]*"
    r"|\.{1,2}(?=\s|$|[,;:?!])"
    r"|[\w*.?-]*\w[\w*.?-]*|\*"
    r"|[,;:?!()=+/^%×÷]"
)
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
FILE_SUFFIXES = frozenset(
    "py pyi md txt rst json yaml yml toml cfg ini html htm css js ts csv tsv xml sql sh log"
    " env lock conf ipynb".split()
)


def is_identifier(text: str) -> bool:
    """A Python name, possibly dotted (`Pipeline.run`)."""
    return _IDENTIFIER.fullmatch(text) is not None


def looks_like_path(text: str) -> bool:
    """A file or folder as people write one: with a separator or a file suffix."""
    if "/" in text or "\\" in text or text in (".", ".."):
        return True
    stem, dot, suffix = text.rpartition(".")
    if not dot or suffix.lower() not in FILE_SUFFIXES:
        return False
    # `Console.log` is a method; `README.md`, `app.log` and `.env` are files.
    return not (stem[:1].isupper() and stem[1:2].islower()) or "_" in stem


def clean_path(text: str) -> str:
    """A path as written, with `/` for separators and without the sentence's punctuation."""
    text = text.replace("\\", "/").strip().strip("\"'`")
    if re.fullmatch(r"[./]+", text):
        return "." if text in (".", "./") else text  # ".", "..", "../../" as written
    return text.rstrip(".,;:!?)").lstrip("(") or "."


def _classify(text: str) -> Kind:
    if text.endswith("()"):
        return Kind.NAME
    if "*" in text or "?" in text:
        return Kind.GLOB
    if re.fullmatch(r"\.[A-Za-z0-9]+", text) and text[1:].lower() in FILE_SUFFIXES:
        return Kind.GLOB if text[1:].lower() in ("py", "md", "txt", "csv") else Kind.PATH
    if looks_like_path(text):
        return Kind.PATH
    if re.fullmatch(r"[\d.,_]*\d[\d.,_]*", text):
        return Kind.NUMBER
    if is_identifier(text) and ("." in text or "_" in text or re.search(r"[a-z][A-Z]", text)):
        return Kind.NAME
    return Kind.WORD


def tokenise(masked: Masked) -> list[Token]:
    """The tokens of a masked request, literals included."""
    tokens: list[Token] = []
    for match in _TOKEN.finditer(masked.text):
        text = match.group(0)
        marker = MARKER.fullmatch(text)
        if marker is not None:
            literal = masked.literals[int(marker.group(1))]
            tokens.append(Token(literal.text, "", Kind.LITERAL, literal))
            continue
        if text in ("->", "→", "=>", "⇒", "⟶"):
            tokens.append(Token(text, "->", Kind.ARROW))
            continue
        if len(text) == 1 and not text.isalnum() and text not in ("*", "."):
            tokens.append(Token(text, text, Kind.PUNCT))
            continue
        if text not in (".", "..") and not text.endswith("()"):
            text = text.rstrip(".?")
            if not text:
                continue
        kind = _classify(text)
        word = correct(text) if kind is Kind.WORD else text.lower()
        tokens.append(Token(text, word, kind))
    return tokens
