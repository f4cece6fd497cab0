"""Sentences of a passage as a reader sees them: wrapped lines joined, list items and table
borders apart, abbreviations ("R.A. Fisher", "e.g.") not taken for sentence ends.
"""

from __future__ import annotations

import re

__all__ = ["split_sentences"]

_PARAGRAPH = re.compile(r"\n\s*\n")
# A line that starts a unit of its own: a list item, quote, table row, heading, field.
_STARTS_UNIT = re.compile(r"^\s*(?:[-*+•>|#=]|\d+[.)]\s|:?[A-Z][\w ()/'-]{0,40}:(?:\s|$))")
_MARKER = re.compile(r"^\s*(?:[-*+•>#]+|\d+[.)])\s+|^\s*:")
_END = re.compile(r"[.!?][\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(r"(?:\b[A-Za-z]|e\.g|i\.e|etc|vs|cf|Dr|Mr|Mrs|Ms|Sir|St|No|Fig)\.$")
_WRAP_WIDTH = 40
"""A line shorter than this ends its unit when the next starts with a capital (a title)."""


def _units(paragraph: str) -> list[str]:
    """The paragraph's lines joined where they wrap, apart where a new item starts."""
    units: list[str] = []
    previous = ""
    for line in paragraph.splitlines():
        text = line.strip()
        if not text:
            continue
        starts_new = (
            not units
            or _STARTS_UNIT.match(line) is not None
            or previous.endswith((".", "!", "?", ":"))
            or (len(previous) < _WRAP_WIDTH and text[:1].isupper())
        )
        if starts_new:
            units.append(text)
        else:
            units[-1] = f"{units[-1]} {text}"
        previous = text
    return units


def _cut(unit: str) -> list[str]:
    """A unit cut at its sentence ends, not after an abbreviation or an initial."""
    sentences: list[str] = []
    start = 0
    for match in _END.finditer(unit):
        head = unit[start : match.start() + 1]
        if _ABBREVIATION.search(head):
            continue
        sentences.append(unit[start : match.end()].strip())
        start = match.end()
    sentences.append(unit[start:].strip())
    return [s for s in sentences if s]


def _is_text(sentence: str) -> bool:
    """Words, not a table border, a line of symbols or markup (`.. _label:`)."""
    if sentence.startswith(".."):
        return False
    letters = sum(ch.isalnum() for ch in sentence)
    return len(sentence.split()) >= 2 and letters >= 0.5 * len(sentence.replace(" ", ""))


def split_sentences(text: str) -> list[str]:
    """The readable sentences of `text`, in order, list markers stripped, each once."""
    seen: set[str] = set()
    sentences: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        for unit in _units(paragraph):
            for sentence in _cut(unit):
                cleaned = _MARKER.sub("", sentence).strip().strip("*_`").strip()
                key = " ".join(cleaned.lower().split())
                if _is_text(cleaned) and key not in seen:
                    seen.add(key)
                    sentences.append(cleaned)
    return sentences
