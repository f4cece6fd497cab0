"""A task cut into requests, each with whether it waits for the one before.

Quoted text and code are set aside first, so a snippet's `;` or "then" never splits it.
Sentences, `;` and "then" always separate requests; "and" and "also" separate them when
the whole is not understood but a piece is ("Add 19 and 23" stays whole; "Calculate 6 * 7
and tell me a joke" is two requests, and the second is answered as one the brain cannot
do, rather than the calculation vanishing with it). A sentence that only sets the scene
("I'm debugging the order summary.") is dropped, and so is a "Trace it" that points back
at the request before it; a bare "And" or "Then" is a joint, not a request.
"""

from __future__ import annotations

import re

from intelligent_office.llm.offline.understanding.intent import IntentKind
from intelligent_office.llm.offline.understanding.normalise import mask, restore
from intelligent_office.llm.offline.understanding.understand import parse_intent, understand

__all__ = ["split_requests"]

_STRONG = re.compile(
    r"\s*;\s*|(?<=[.?!])\s+(?=[A-Z⟦])|,?\s+and\s+then\s+|,\s*then\s+|\s+then\s+", re.IGNORECASE
)
_WEAK = re.compile(r",?\s+and\s+(?:also\s+)?|,\s*also\s+|\s+also\s+", re.IGNORECASE)
_THEN = re.compile(r"\bthen\b", re.IGNORECASE)
_LEADING_THEN = re.compile(
    r"^(?:and\s+)?(?:then|also|first)\b[\s,]*|^(?:and|also|then)[\s,.]*$", re.IGNORECASE
)
_SCENE = re.compile(r"^(?:i|i'm|im|i've|we|we're|my|our|this|it|it's|there)\b", re.IGNORECASE)
_POINTS_BACK = re.compile(
    r"^(?:please\s+)?\w+\s+(?:it|this|that|them)(?:\s+(?:for\s+me|please))?[\s.!?]*$", re.I
)
_HAS_SLOT = re.compile(r"⟦\d+⟧|\w\(\)|[/\\]|\w\.\w|\w_\w|\d")


def split_requests(text: str) -> list[tuple[str, bool]]:
    """Split a task into requests, each with whether it must wait for the one before.

    A split into requests that are all understood wins over reading the task as one
    request, so no part of a task is silently dropped.
    """
    whole = re.sub(r"\btl;dr\b", "tldr", text.strip(), flags=re.IGNORECASE)
    masked = mask(whole)
    pieces: list[tuple[str, bool]] = []
    for piece, after in _split(masked.text, _STRONG):
        pieces += _split_weak(restore(piece, masked.literals), after)
    pieces = _without_scene_setting(pieces)
    if pieces and all(_understood(piece) for piece, _ in pieces):
        return pieces
    if _understood(whole):
        return [(whole, False)]
    return pieces or [(whole, False)]


def _understood(text: str) -> bool:
    return understand(text).intent is not None


def _split(text: str, separators: re.Pattern[str]) -> list[tuple[str, bool]]:
    parts: list[tuple[str, bool]] = []
    position, after_then = 0, False
    for separator in separators.finditer(text):
        _add(parts, text[position : separator.start()], after_then)
        after_then = bool(_THEN.search(separator.group(0)))
        position = separator.end()
    _add(parts, text[position:], after_then)
    return parts


def _add(parts: list[tuple[str, bool]], piece: str, after_then: bool) -> None:
    """Add one request; a leading "Then" ("... defined. Then trace ...") makes it wait."""
    piece = piece.strip()
    stripped = _LEADING_THEN.sub("", piece)
    if stripped:
        parts.append((stripped, after_then or bool(_THEN.match(piece))))


def _split_weak(piece: str, after: bool) -> list[tuple[str, bool]]:
    """ "X and Y" as two requests when X and Y is not understood as one but X or Y is."""
    if _understood(piece):
        return [(piece, after)]
    masked = mask(piece)
    parts = _split(masked.text, _WEAK)
    restored = [(restore(part, masked.literals), False) for part, _ in parts]
    if len(restored) > 1 and any(_understood(part) for part, _ in restored):
        return [(restored[0][0], after), *restored[1:]]
    return [(piece, after)]


def _without_scene_setting(pieces: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Drop sentences that ask nothing ("I'm debugging X.") and "Trace it" after a request."""
    if len(pieces) < 2:
        return pieces
    kept: list[tuple[str, bool]] = []
    for piece, after in pieces:
        if _understood(piece):
            kept.append((piece, after))
        elif _SCENE.match(piece) and not _HAS_SLOT.search(piece):
            continue
        elif _POINTS_BACK.match(piece) and kept:
            pointed = _pointing_back(piece, kept[-1][0])
            if pointed is not None:
                kept.append((pointed, after))
        else:
            kept.append((piece, after))
    return kept


# The verbs that ask again for what a request of each kind already does ("Trace it").
_SAME_AGAIN: dict[IntentKind, frozenset[str]] = {
    kind: frozenset(verbs.split()) | {"do"}
    for kind, verbs in {
        IntentKind.TRACE: "trace follow track show",
        IntentKind.FIND_FUNCTION: "find locate show",
        IntentKind.SEARCH: "search grep find",
        IntentKind.LIST_FILES: "list show",
        IntentKind.READ_FILE: "read show open display print",
        IntentKind.SUMMARIZE: "summarize summarise",
        IntentKind.CALCULATE: "calculate compute evaluate",
        IntentKind.PYTHON: "run execute",
        IntentKind.WRITE_FILE: "write save",
        IntentKind.SEARCH_DOCUMENTS: "search find",
    }.items()
}


def _pointing_back(piece: str, before: str) -> str | None:
    """ "Summarize it" after "Read a.py" is "Summarize a.py"; "Trace it" after a trace is
    the same request (None: dropped); anything else stays as written, to be answered."""
    previous = parse_intent(before)
    if previous is None:
        return piece
    verb = piece.split()[0].lower().strip(",.")
    if verb == "please" and len(piece.split()) > 1:
        verb = piece.split()[1].lower().strip(",.")
    target = previous.params.get("path")
    if target:
        resolved = re.sub(r"\b(?:it|this|that|them)\b", target, piece, count=1, flags=re.I)
        meant = parse_intent(resolved)
        if meant is not None and meant.kind is not previous.kind:
            return resolved
    if verb in _SAME_AGAIN[previous.kind]:
        return None
    return piece
