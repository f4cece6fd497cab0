"""How alike two requests are, by their words: cheap, deterministic, needs no model."""

from __future__ import annotations

import math
import re
from collections import Counter

__all__ = ["similarity"]

_WORD = re.compile(r"[a-z_][a-z0-9_]*|\d+")
_STOP = frozenset("a an the in of to from for and or on at is are be me my what".split())


def _words(text: str) -> Counter[str]:
    return Counter(w for w in _WORD.findall(text.lower()) if w not in _STOP)


def similarity(left: str, right: str) -> float:
    """Cosine of the two texts' word counts, 0 (nothing shared) to 1 (same words)."""
    a, b = _words(left), _words(right)
    if not a or not b:
        return 0.0
    dot = sum(count * b[word] for word, count in a.items())
    return dot / (
        math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    )
