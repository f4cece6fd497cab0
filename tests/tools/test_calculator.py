"""The calculator: arithmetic through the AST, friendly spellings, limits and refusals."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from intelligent_office.errors import ToolError
from intelligent_office.tools import ToolContext
from intelligent_office.tools.calculator import calculate, evaluate


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("7 / 2", 3.5),
        ("7 // 2", 3),
        ("7 % 4", 3),
        ("2 ** 10", 1024),
        ("2 ^ 10", 1024),
        ("-2 ** 2", -4),
        ("+3 - -3", 6),
        ("6 × 7", 42),
        ("9 ÷ 2", 4.5),
        ("5 − 8", -3),
        ("1_000 + 1", 1001),
        ("1,000,000 / 4", 250000.0),
        ("1,234.5 * 2", 2469.0),
        ("2.5e3", 2500.0),
        ("sqrt(16)", 4.0),
        ("log(e)", 1.0),
        ("log(8, 2)", 3.0),
        ("log10(1000)", 3.0),
        ("exp(0)", 1.0),
        ("abs(-3)", 3),
        ("round(2.567, 2)", 2.57),
        ("round(7.6)", 8),
        ("min(3, 1, 2)", 1),
        ("max(3, 1, 2)", 3),
        ("floor(-1.5)", -2),
        ("ceil(1.2)", 2),
        ("cos(pi)", -1.0),
        ("2 ** -1", 0.5),
        ("1.0001 ** 10000", 1.0001**10000),
    ],
)
def test_evaluates_arithmetic(expression: str, value: float) -> None:
    result = evaluate(expression)
    assert result == pytest.approx(value)
    assert type(result) is type(value)


def test_sin_and_tan() -> None:
    assert evaluate("sin(pi / 2)") == 1.0
    assert evaluate("tan(pi / 4)") == pytest.approx(1.0)
    assert evaluate("pi") == math.pi


async def test_the_tool_returns_the_expression_and_value(tmp_path: Path) -> None:
    result = await calculate(ToolContext(workspace=tmp_path), {"expression": "2^3 + 1"})
    assert result == {"expression": "2^3 + 1", "value": 9}
    assert calculate.spec.risk_level == "low"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("__import__('os')", "unknown name '__import__': allowed functions are sqrt, log"),
        ("os", "unknown name 'os': allowed functions are"),
        ("open('/etc/passwd')", "unknown name 'open'"),
        ("os.system('ls')", "attribute access is not allowed"),
        ("(1).__class__", "attribute access is not allowed"),
        ("().__class__.__bases__", "attribute access is not allowed"),
        ("(1, 2)[0]", "indexing is not allowed"),
        ("(lambda: 1)()", "lambda is not allowed"),
        ("[x for x in (1, 2)]", "ListComp is not allowed"),
        ("[1] * 3", "a list is not allowed"),
        ("'a' * 3", "'a' is not a number"),
        ("f'{1}'", "an f-string is not allowed"),
        ("True + 1", "True is not a number"),
        ("1j * 1j", "1j is not a number"),
        ("1 < 2", "comparison is not allowed"),
        ("(x := 3)", "assignment is not allowed"),
        ("1, 2", "a tuple"),
        ("~1", "operator Invert is not allowed"),
        ("1 << 2", "operator LShift is not allowed"),
        ("sqrt", "sqrt is a function: call it"),
        ("pi(2)", "pi is a constant, not a function"),
        ("round(x=1)", "positional arguments only"),
        ("max(*(1, 2))", "positional arguments only"),
        ("sqrt(1, 2)", r"sqrt\(\) takes 1 argument, got 2"),
        ("min(3)", r"min\(\) takes at least 2 arguments, got 1"),
        ("log(1, 2, 3)", r"log\(\) takes 1 or 2 arguments, got 3"),
        ("round(1, 0.5)", "whole number of digits"),
        ("x = 1", "cannot parse 'x = 1'"),
        ("2 +", "cannot parse"),
    ],
)
def test_refuses_anything_but_arithmetic(expression: str, message: str) -> None:
    with pytest.raises(ToolError, match=message):
        evaluate(expression)


@pytest.mark.parametrize("expression", ["1 / 0", "5 % 0", "4 // 0.0", "0 ** -1"])
def test_division_by_zero(expression: str) -> None:
    with pytest.raises(ToolError, match="division by zero"):
        evaluate(expression)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("9 ** 9 ** 9", "exponent 387420489 is too large: the limit is 10000"),
        ("2 ** 100000", "exponent 100000 is too large"),
        ("10 ** 10000", "results are limited to 1000 digits"),
        ("(10 ** 600) * (10 ** 600)", "results are limited to 1000 digits"),
        ("1.5 ** 10000", "too large to compute"),
        ("1e308 * 10", "too large to compute"),
        ("exp(1000)", "too large to compute"),
        ("10 ** 999 / 3", "too large to compute"),
    ],
)
def test_huge_results_are_refused_quickly(expression: str, message: str) -> None:
    with pytest.raises(ToolError, match=message):
        evaluate(expression)


def test_domain_errors_and_non_real_results() -> None:
    with pytest.raises(ToolError, match=r"cannot compute sqrt\(-1\): math domain error"):
        evaluate("sqrt(-1)")
    with pytest.raises(ToolError, match=r"cannot compute log\(0\)"):
        evaluate("log(0)")
    with pytest.raises(ToolError, match="has no real value"):
        evaluate("(-8) ** (1 / 3)")


def test_commas_inside_calls_must_be_unambiguous() -> None:
    assert evaluate("max(1, 2)") == 2
    with pytest.raises(ToolError, match="ambiguous comma in '1,000': .* write 1_000"):
        evaluate("max(1,000)")
    with pytest.raises(ToolError, match="ambiguous comma in '3,000'"):
        evaluate("min(1, 2) + 3,000")


def test_length_and_nesting_limits() -> None:
    with pytest.raises(ToolError, match="expression is 501 characters; the limit is 500"):
        evaluate("1" * 501)
    assert evaluate("-" * 99 + "1") == -1
    with pytest.raises(ToolError, match="nested more than 100 levels deep"):
        evaluate("-" * 100 + "1")
    assert evaluate("(" * 150 + "1" + ")" * 150) == 1
    with pytest.raises(ToolError, match="nested more than 100 levels deep"):
        evaluate("(1+" * 120 + "1" + ")" * 120)
