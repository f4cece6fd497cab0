"""Numbers typed in other digits and signs reach the calculator as numbers."""

from __future__ import annotations

import pytest

from intelligent_office.llm.offline.intents import parse_intent
from intelligent_office.tools.calculator import evaluate
from intelligent_office.tools.numerals import plain_numerals


@pytest.mark.parametrize(
    ("typed", "plain", "value"),
    [
        ("１２ * 3", "12 * 3", 36),  # full-width, U+FF11 U+FF12
        ("١٢ × 3", "12 * 3", 36),  # Arabic-Indic digits
        ("१२ + 1", "12 + 1", 13),  # Devanagari digits
        ("2⁵", "2^5", 32),  # a superscript is a power, not the digit 25
        ("½ + 1", "(1/2) + 1", 1.5),
        ("3½ * 2", "(3+(1/2)) * 2", 7.0),
        ("10 − 4", "10 - 4", 6),  # U+2212 minus
        ("１２．５ ÷ 5", "12.5 / 5", 2.5),
    ],
)
def test_unicode_numbers_are_plain_numbers(typed: str, plain: str, value: float) -> None:
    assert plain_numerals(typed) == plain
    assert evaluate(typed) == value


def test_words_keep_their_letters() -> None:
    assert plain_numerals("café naïve") == "café naïve"


@pytest.mark.parametrize(
    ("request_text", "expression"),
    [
        ("calculate １２ * 3", "12 * 3"),
        ("what is 2⁵", "2^5"),
        ("compute ١٢ × 3", "12 * 3"),
    ],
)
def test_the_offline_brain_reads_them_as_numbers(request_text: str, expression: str) -> None:
    intent = parse_intent(request_text)
    assert intent is not None and intent.params["expression"] == expression
