"""Numbers as people type them, in the digits and signs Python reads.

Full-width digits (`１２`), digits of other scripts (`١٢`, `१२`), superscript powers
(`2⁵`), vulgar fractions (`½`) and typographic signs (`−`, `×`, `÷`, `⁄`) all mean
numbers and operators; NFKC alone would turn `2⁵` into `25`, so powers and fractions
are rewritten first and NFKC does the rest.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["plain_numerals", "powers_and_fractions"]

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-")
_POWER = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻]+")
_FRACTIONS = re.compile(r"(\d?)([½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞])")
_SIGNS = str.maketrans({"−": "-", "–": "-", "⁄": "/", "∕": "/", "×": "*", "÷": "/", "·": "*"})


def plain_numerals(text: str) -> str:
    """`text` with every number in ASCII digits and every arithmetic sign in ASCII."""
    text = unicodedata.normalize("NFKC", powers_and_fractions(text)).translate(_SIGNS)
    return "".join(_ascii_digit(char) for char in text)


def powers_and_fractions(text: str) -> str:
    """Superscript powers as `^n` and vulgar fractions as `(a/b)`: what NFKC would garble."""
    text = _POWER.sub(lambda m: "^" + m.group(0).translate(_SUPERSCRIPTS), text)
    return _FRACTIONS.sub(_fraction, text)


def _fraction(match: re.Match[str]) -> str:
    whole, glyph = match.group(1), match.group(2)
    numerator, _, denominator = unicodedata.normalize("NFKC", glyph).partition("⁄")
    fraction = f"({numerator}/{denominator})"
    return f"({whole}+{fraction})" if whole else fraction


def _ascii_digit(char: str) -> str:
    if char.isascii() or not char.isdecimal():
        return char
    return str(unicodedata.decimal(char))
