"""Chunking: documents cut into pieces of at most `size` characters, on natural boundaries.

Paragraphs are kept whole when they fit; a longer one is cut at sentence ends, and a
sentence longer than a chunk at a space. Each chunk repeats up to `overlap` characters
of whole pieces from the one before, so a fact across a boundary is found in one chunk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from intelligent_office.memory.documents.readers import Section

__all__ = ["Chunk", "chunk_sections"]

_PARAGRAPH = re.compile(r"\n\s*\n")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Chunk:
    """A piece of a document and where it is."""

    text: str
    line_start: int
    line_end: int
    page: int | None = None


def _pieces(text: str, size: int) -> list[tuple[int, int]]:
    """(start, end) spans of paragraphs, or of sentences and words when too long."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in [*_PARAGRAPH.finditer(text), None]:
        end = match.start() if match else len(text)
        if text[start:end].strip():
            spans.extend(_split(text, start, end, size))
        if match:
            start = match.end()
    return spans


def _split(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    if end - start <= size:
        return [(start, end)]
    cuts = [start] + [m.end() for m in _SENTENCE.finditer(text, start, end)] + [end]
    spans: list[tuple[int, int]] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        while b - a > size:  # one long sentence: cut at the last space that fits
            space = text.rfind(" ", a + 1, a + size)
            cut = space if space > a else a + size
            spans.append((a, cut))
            a = cut
        if text[a:b].strip():
            spans.append((a, b))
    return spans


def chunk_sections(sections: list[Section], size: int, overlap: int) -> list[Chunk]:
    """Every section's text in chunks of at most `size` characters."""
    chunks: list[Chunk] = []
    for section in sections:
        text = section.text
        pieces = _pieces(text, size)
        index = 0
        while index < len(pieces):
            first = index
            end = index
            while end + 1 < len(pieces) and pieces[end + 1][1] - pieces[first][0] <= size:
                end += 1
            begin, finish = pieces[first][0], pieces[end][1]
            raw = text[begin:finish]
            # Lines are counted on the text the chunk keeps, without surrounding blank lines.
            start = begin + len(raw) - len(raw.lstrip())
            stop = begin + len(raw.rstrip())
            chunks.append(
                Chunk(
                    text=raw.strip(),
                    line_start=section.line + text.count("\n", 0, start),
                    line_end=section.line + text.count("\n", 0, stop),
                    page=section.page,
                )
            )
            # The next chunk starts with the last pieces of this one that fit in `overlap`.
            following = end + 1
            if following < len(pieces):
                limit = pieces[following][1]  # the next chunk must still take a new piece
                while (
                    following - 1 > first
                    and finish - pieces[following - 1][0] <= overlap
                    and limit - pieces[following - 1][0] <= size
                ):
                    following -= 1
            index = following
    return [chunk for chunk in chunks if chunk.text]
