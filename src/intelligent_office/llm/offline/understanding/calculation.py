"""Arithmetic as people ask for it: "15% of 80", "7 times 6", "the square root of 2"."""

from __future__ import annotations

import re

from intelligent_office.llm.offline.understanding.fuzzy import correct

__all__ = ["expression_of"]

_NUMBER = r"(\d[\d,_]*(?:\.\d+)?|\.\d+)"
# Phrasings rewritten to operators, in order; each keeps the numbers as written.
_REWRITES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(_NUMBER + r"\s*(?:%|percent|per\s+cent)\s+of\s+", re.I), r"\1 / 100 * "),
    (re.compile(r"\b(?:the\s+)?square\s+root\s+of\s+" + _NUMBER, re.I), r"sqrt(\1)"),
    (re.compile(r"\bsqrt\s+of\s+" + _NUMBER, re.I), r"sqrt(\1)"),
    (re.compile(_NUMBER + r"\s+squared\b", re.I), r"\1 ^ 2"),
    (re.compile(_NUMBER + r"\s+cubed\b", re.I), r"\1 ^ 3"),
    (
        re.compile(r"\b(?:add|sum\s+of)\s+" + _NUMBER + r"\s+(?:and|to|plus)\s+" + _NUMBER, re.I),
        r"\1 + \2",
    ),
    (re.compile(r"\bsubtract\s+" + _NUMBER + r"\s+from\s+" + _NUMBER, re.I), r"\2 - \1"),
    (
        re.compile(
            r"\b(?:multiply|product\s+of)\s+" + _NUMBER + r"\s+(?:by|and|with)\s+" + _NUMBER, re.I
        ),
        r"\1 * \2",
    ),
    (re.compile(r"\bdivide\s+" + _NUMBER + r"\s+by\s+" + _NUMBER, re.I), r"\1 / \2"),
    (
        re.compile(
            r"\b(?:to\s+the\s+power\s+of|raised\s+to(?:\s+the\s+power\s+of)?|to\s+the)\b", re.I
        ),
        " ^ ",
    ),
    (re.compile(r"\b(?:multiplied\s+by|times)\b", re.I), " * "),
    (re.compile(r"\bdivided\s+by\b", re.I), " / "),
    (re.compile(r"\bplus\b", re.I), " + "),
    (re.compile(r"\bminus\b", re.I), " - "),
    (re.compile(r"\b(?:mod|modulo)\b", re.I), " % "),
]
# Words around an expression that only ask for its value.
_ASKING = frozenset(
    """
    calculate compute evaluate work out what is does do come comes to equal equals the value
    result of answer tell me know need solve how much get please whats be would
    """.split()
)
_CUES = frozenset("calculate compute evaluate work solve".split())
_MATH = frozenset("sqrt log log10 exp sin cos tan abs round min max floor ceil pi e".split())
_ARITHMETIC = re.compile(r"^[\d\s.,_+\-*/%^()×÷a-z0-9]+$", re.IGNORECASE)
_OPERATOR = re.compile(r"[+\-*/%^×÷]|\b(?:" + "|".join(sorted(_MATH - {"e", "pi"})) + r")\s*\(")


def expression_of(text: str) -> str | None:
    """The arithmetic expression a request asks the value of, or None."""
    words = re.sub(r"[A-Za-z]+", lambda m: _keep_or_correct(m.group(0)), text)
    for pattern, replacement in _REWRITES:
        words = pattern.sub(replacement, words)
    asked = [w for w in re.findall(r"[A-Za-z_]\w*", words.lower()) if w in _ASKING]
    remaining = re.sub(
        r"\b(?:" + "|".join(sorted(_ASKING, key=len, reverse=True)) + r")\b", " ", words, flags=re.I
    )
    expression = " ".join(remaining.split()).strip(" =?")
    if not expression or not any(char.isdigit() for char in expression):
        return None
    if not _ARITHMETIC.match(expression):
        return None
    names = set(re.findall(r"[a-z]\w*", expression.lower()))
    if names - _MATH:
        return None
    if not set(asked) & (_CUES | {"what", "much", "equals", "equal"}) and not _OPERATOR.search(
        expression
    ):
        return None  # a bare number asks nothing
    return expression


def _keep_or_correct(word: str) -> str:
    lower = word.lower()
    return lower if lower in _MATH else correct(word)
