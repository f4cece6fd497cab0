"""Normalising a request before it is read: one spelling for what people write many ways.

Quoted text, backticked text and code blocks are set aside first (`Literal`s, left in the
text as markers such as `⟦0⟧`) so nothing below changes what the person quoted. The rest
is NFKC-normalised, gets straight quotes and single spaces, loses its politeness ("could
you", "please", "for me", "thanks") and its contractions ("what's" is "what is").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from intelligent_office.tools.numerals import plain_numerals, powers_and_fractions

__all__ = ["MARKER", "Literal", "Masked", "mask", "normalise", "prepare", "restore"]

_QUOTES = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'", "´": "'"}
)
MARKER = re.compile(r"⟦(\d+)⟧")
# A fenced block, a backticked span, a double-quoted span, or a single-quoted one whose
# quotes stand apart from words (the apostrophes of "what's" and "I'd" are not quotes).
_LITERAL = re.compile(
    r"```(?P<lang>[\w+-]*)[ \t]*\n?(?P<fenced>.*?)```"
    r"|`(?P<bq>[^`\n]+)`"
    r"|\"(?P<dq>[^\"\n]*)\""
    r"|(?<![\w'])'(?P<sq>[^'\n]+)'(?![\w'])",
    re.DOTALL,
)


@dataclass(frozen=True)
class Literal:
    """Text the person quoted: `quote` is ```, `, " or '."""

    quote: str
    text: str

    @property
    def is_code(self) -> bool:
        """Backticks and fences hold code; quotes hold text."""
        return self.quote in ("`", "```")


@dataclass(frozen=True)
class Masked:
    """A request with its literals replaced by markers."""

    text: str
    literals: tuple[Literal, ...]


def mask(text: str) -> Masked:
    """Set quoted text and code aside, leaving `⟦n⟧` markers in their place."""
    literals: list[Literal] = []

    def keep(match: re.Match[str]) -> str:
        for group, quote in (("fenced", "```"), ("bq", "`"), ("dq", '"'), ("sq", "'")):
            value = match.group(group)
            if value is not None:
                literals.append(Literal(quote, value.strip("\n") if quote == "```" else value))
                break
        return f"⟦{len(literals) - 1}⟧"

    return Masked(_LITERAL.sub(keep, text), tuple(literals))


def restore(text: str, literals: tuple[Literal, ...]) -> str:
    """Put the literals back where their markers are."""

    def put(match: re.Match[str]) -> str:
        literal = literals[int(match.group(1))]
        if literal.quote == "```":
            return f"```\n{literal.text}\n```"
        return f"{literal.quote}{literal.text}{literal.quote}"

    return MARKER.sub(put, text)


_CONTRACTIONS = [
    (re.compile(r"\b(what|where|who|how|that|it|there|here)'s\b", re.I), r"\1 is"),
    (re.compile(r"\bwhats\b", re.I), "what is"),
    (re.compile(r"\bwheres\b", re.I), "where is"),
    (re.compile(r"\bwhos\b", re.I), "who is"),
    (re.compile(r"\btl;?dr\b", re.I), "tldr"),
]
# Politeness and preambles that carry no request, at the start or the end.
_LEADING = re.compile(
    r"^(?:(?:please|pls|kindly|hey|hi|hello|ok|okay|so|now|first|also|and|then|just)\b[\s,]*"
    r"|(?:can|could|would|will)\s+(?:you|u)(?:\s+please)?(?:\s+(?:help\s+me|quickly))?\s+"
    r"|(?:can|could|may)\s+i(?:\s+please)?\s+"
    r"|would\s+you\s+mind\s+"
    r"|(?:i'd|i\s+would|i'll|we'd)\s+(?:like|love|want)\s+(?:you\s+)?to\s+"
    r"|(?:i|we)\s+(?:want|need|wish)\s+(?:you\s+)?to(?:\s+know)?\s+"
    r"|(?:help\s+me|let\s+me|let's|lets)\s+"
    r"|tell\s+me\s+(?=what|how|where|who|which)"
    r")+",
    re.IGNORECASE,
)
_TRAILING = re.compile(
    r"(?:[\s,]+(?:please|pls|thanks|thank\s+you|thx|for\s+me|for\s+us|if\s+you\s+can"
    r"|if\s+possible|quickly)\b)+[\s.!?]*$"
    r"|[\s]*[?!]+$",
    re.IGNORECASE,
)
# "... so I can see where records get cleaned": why the person asks, not what.
_PURPOSE = re.compile(
    r"[\s,]+(?:so(?:\s+that)?|because|since|as)\s+(?:i|we)\b.*$", re.IGNORECASE | re.DOTALL
)


def normalise(text: str) -> str:
    """One spelling of a masked request: NFKC, plain quotes, single spaces, no politeness.

    Numbers come out in ASCII digits and signs (`１２ × 3` is `12 * 3`, `2⁵` is `2^5`).
    """
    text = plain_numerals(text).translate(_QUOTES)
    text = " ".join(text.split())
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    text = _PURPOSE.sub("", text)
    for _ in range(3):  # "Could you ... please?" has politeness at both ends
        before = text
        text = _LEADING.sub("", text).strip()
        text = _TRAILING.sub("", text).strip()
        if text == before:
            break
    return _strip_full_stop(text)


def _strip_full_stop(text: str) -> str:
    """A sentence's closing stop goes; "in ." (this folder) and "./" keep theirs."""
    text = text.rstrip("!").rstrip()
    if text.endswith(".") and not re.search(r"(?:^|[\s/.])\.$", text):
        return text[:-1].rstrip()
    return text


def prepare(text: str) -> Masked:
    """Mask, then normalise: what the readers of a request work on."""
    # Powers and fractions first: NFKC would make `2⁵` read as 25.
    masked = mask(unicodedata.normalize("NFKC", powers_and_fractions(text)).translate(_QUOTES))
    return Masked(normalise(masked.text), masked.literals)
