"""What a search pattern means: a regular expression, or the text as written.

People quote what they look for. A quoted pattern is used as written: when it is a
valid regular expression that uses regex syntax (`warnings\\.warn\\(`, `^def \\w+`) it is
searched as one; anything else (`process_data(`, `Decimal`) is searched for literally.
The answer says which, so nobody has to guess why a line did or did not match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["SearchPattern", "search_pattern"]

# Characters that only mean something to a regular expression.
_SYNTAX = re.compile(r"[\\^$.*+?()\[\]{}|]")


@dataclass(frozen=True)
class SearchPattern:
    """The regular expression to search with, and how the typed text was read."""

    typed: str
    regex: str
    mode: Literal["regex", "literal"]

    def described(self) -> str:
        """How the pattern was treated, in words for the answer."""
        if self.mode == "regex":
            return "treated as a regular expression"
        return "searched for as literal text"


def search_pattern(typed: str) -> SearchPattern:
    """Read `typed` as a regex when it is a valid one with regex syntax, else as literal text."""
    if _SYNTAX.search(typed):
        try:
            re.compile(typed)
        except (re.error, RecursionError, OverflowError):
            pass
        else:
            return SearchPattern(typed, typed, "regex")
    return SearchPattern(typed, re.escape(typed), "literal")
