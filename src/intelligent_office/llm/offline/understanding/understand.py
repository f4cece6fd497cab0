"""Reading one request: every reader tries, the surest wins, and when none is sure it asks.

`understand(text)` normalises the request, cuts it into tokens and lets each intent's
reader try it. A reading that accounts for every word is confident; of those, the first
reader in `READERS` order wins. With none confident the request is not guessed at: the
best reading left (or, failing that, a request built from the slots alone, e.g. two
function names make a trace) becomes a proposal, asked back as "Did you mean: ...?".
A request asking for something the brain cannot do ("delete", "send", "deploy") is
neither read nor proposed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from intelligent_office.llm.offline.understanding.clarification import (
    Clarification,
    closest_request,
    understood_text,
)
from intelligent_office.llm.offline.understanding.intent import Intent
from intelligent_office.llm.offline.understanding.normalise import prepare
from intelligent_office.llm.offline.understanding.readers import READERS, Reading
from intelligent_office.llm.offline.understanding.request import Request
from intelligent_office.llm.offline.understanding.slots import tokenise

__all__ = ["Understanding", "parse_intent", "understand"]

# Verbs asking for what no built-in tool does; such a request is a tool gap, not a typo.
_CANNOT = frozenset(
    """
    delete remove erase rename move copy send email e-mail mail translate refactor deploy book
    schedule draw paint download fetch upload install uninstall fix change edit modify replace
    update commit push merge convert sort count compare rewrite optimize optimise generate
    """.split()
)
# A proposal may leave this many words unexplained; more and it is a guess.
_MOST_LEFT_OVER = 4


@dataclass(frozen=True)
class Understanding:
    """What the brain made of a request: an intent, or a question back, or nothing."""

    intent: Intent | None
    clarification: Clarification | None = None
    defaults: tuple[str, ...] = ()
    """Parameters of the intent the request left out (a conversation may fill them)."""


@lru_cache(maxsize=1024)
def understand(text: str) -> Understanding:
    """The intent of one request, or a clarification when unsure, or neither."""
    masked = prepare(text)
    request = Request(masked, tokenise(masked))
    if request.words() & _CANNOT:
        return Understanding(None)
    readings: list[Reading] = []
    for reader in READERS:
        reading = reader(request.fork())
        if reading is None:
            continue
        if reading.confident:
            return Understanding(reading.intent, defaults=reading.defaults)
        readings.append(reading)
    left_over = [r for r in readings if len(r.unexplained) <= _MOST_LEFT_OVER]
    best = min(left_over, key=lambda r: len(r.unexplained), default=None)
    proposal = best.intent if best is not None else closest_request(request.fork())
    if proposal is None:
        return Understanding(None)
    understood = understood_text(request)
    return Understanding(None, Clarification(understood, proposal))


def parse_intent(text: str) -> Intent | None:
    """The intent of one request, or None when it is not understood for sure."""
    return understand(text).intent
