"""A calculator tool: arithmetic evaluated by walking Python's `ast`, never by eval.

The expression is parsed with `ast.parse(..., mode="eval")` and only these nodes are
evaluated: int and float literals, `+ - * / // % **`, unary `+ -`, calls of the allowed
functions with positional arguments, and the constants `pi` and `e`. Everything else
(names, attributes, lambdas, subscripts, strings, comprehensions ...) is refused.

Friendly spellings: `^` is power, `×` and `÷` are multiply and divide, `−` is minus;
numbers in full-width or other scripts' digits, superscript powers (`2⁵`) and vulgar
fractions (`½`) are read as numbers (tools/numerals.py).
Underscores group digits as in Python (`1_000_000`). A comma between digits groups
thousands (`1,234,567.5`) only when the expression calls no function; inside a call
`max(1,000)` could mean either, so a comma followed directly by three digits there is
refused with a message that says how to write it.

Limits keep a call cheap: the expression is at most 500 characters, an exponent at
most 10,000 in size, operations nest at most 100 deep, and every intermediate result
has at most 1000 digits (floats must be finite).
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable
from typing import Any, TypedDict

from intelligent_office.errors import ToolError
from intelligent_office.python_ast import parse_expression
from intelligent_office.tools.base import ToolContext, tool
from intelligent_office.tools.numerals import plain_numerals

__all__ = [
    "MAX_EXPONENT",
    "MAX_EXPRESSION_CHARS",
    "MAX_DEPTH",
    "MAX_RESULT_DIGITS",
    "CalculateResult",
    "calculate",
    "evaluate",
]

MAX_EXPRESSION_CHARS = 500
MAX_EXPONENT = 10_000
MAX_RESULT_DIGITS = 1000
MAX_DEPTH = 100
_MAX_RESULT_BITS = math.ceil(MAX_RESULT_DIGITS * math.log2(10))

Number = int | float


class CalculateResult(TypedDict):
    """What calculate returns."""

    expression: str
    value: int | float


def _log(x: Number, base: Number = math.e) -> float:
    return math.log(x, base)


def _round(x: Number, digits: int | None = None) -> Number:
    if digits is not None and not isinstance(digits, int):
        raise TypeError("round's second argument must be a whole number of digits")
    return round(x, digits)


# name -> (function, fewest arguments, most arguments or None for any number)
_FUNCTIONS: dict[str, tuple[Callable[..., Number], int, int | None]] = {
    "sqrt": (math.sqrt, 1, 1),
    "log": (_log, 1, 2),
    "log10": (math.log10, 1, 1),
    "exp": (math.exp, 1, 1),
    "sin": (math.sin, 1, 1),
    "cos": (math.cos, 1, 1),
    "tan": (math.tan, 1, 1),
    "abs": (abs, 1, 1),
    "round": (_round, 1, 2),
    "min": (min, 2, None),
    "max": (max, 2, None),
    "floor": (math.floor, 1, 1),
    "ceil": (math.ceil, 1, 1),
}
_CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Number]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_SYMBOLS = {"^": "**", "×": "*", "÷": "/", "−": "-"}
_THOUSANDS = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?!\w)")
_CALL = re.compile(r"[A-Za-z_]\w*\s*\(")
_NOT_ALLOWED = {
    ast.Attribute: "attribute access",
    ast.Lambda: "lambda",
    ast.Subscript: "indexing",
    ast.Tuple: "a tuple (commas separate function arguments only)",
    ast.Compare: "comparison",
    ast.BoolOp: "and/or",
    ast.IfExp: "if/else",
    ast.NamedExpr: "assignment",
    ast.List: "a list",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.JoinedStr: "an f-string",
}


@tool()
def calculate(ctx: ToolContext, expression: str) -> CalculateResult:
    """Evaluate an arithmetic expression safely, e.g. "sqrt(2) * 3^2" or "1,250 * 12".

    Args:
        expression: numbers, + - * / // % ** (or ^), parentheses, pi, e and the functions
            sqrt, log, log10, exp, sin, cos, tan, abs, round, min, max, floor, ceil.
    """
    return {"expression": expression, "value": evaluate(expression)}


def evaluate(expression: str) -> Number:
    """The value of an arithmetic expression.

    Raises:
        ToolError: the expression is too long, does not parse, uses anything but
            arithmetic and the allowed names, or its result is undefined or too large.
    """
    if len(expression) > MAX_EXPRESSION_CHARS:
        raise ToolError(
            f"expression is {len(expression)} characters; the limit is {MAX_EXPRESSION_CHARS}"
        )
    source = _normalize(expression)
    try:
        tree = parse_expression(source.strip())
    except SyntaxError as error:
        raise ToolError(f"cannot parse {expression!r}: {error.msg}") from None
    except (ValueError, MemoryError, RecursionError):
        raise ToolError(f"cannot parse {expression!r}: it is not arithmetic") from None
    return _Evaluator(expression).visit(tree.body)


def _normalize(expression: str) -> str:
    source = plain_numerals(expression)
    for symbol, replacement in _SYMBOLS.items():
        source = source.replace(symbol, replacement)
    grouped = _THOUSANDS.search(source)
    if grouped:
        if _CALL.search(source):
            raise ToolError(
                f"ambiguous comma in {grouped.group()!r}: in an expression that calls "
                f"functions write {grouped.group().replace(',', '_')} for a number, or put a "
                "space after the comma to separate arguments"
            )
        source = _THOUSANDS.sub(lambda match: match.group().replace(",", ""), source)
    return source


class _Evaluator:
    """Evaluates the allowed subset of Python expression nodes."""

    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.depth = 0

    def visit(self, node: ast.expr) -> Number:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise ToolError(f"expression is nested more than {MAX_DEPTH} levels deep")
            return self._visit(node)
        finally:
            self.depth -= 1

    def _visit(self, node: ast.expr) -> Number:
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.BinOp):
            return self._binary(node)
        if isinstance(node, ast.UnaryOp):
            return self._unary(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Name):
            return self._name(node.id)
        what = _NOT_ALLOWED.get(type(node), type(node).__name__)
        raise ToolError(f"{what} is not allowed in a calculation: use numbers and operators only")

    def _constant(self, node: ast.Constant) -> Number:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ToolError(f"{value!r} is not a number: only int and float literals are allowed")
        return self._checked(value)

    def _name(self, name: str) -> Number:
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        if name in _FUNCTIONS:
            raise ToolError(f"{name} is a function: call it, e.g. {name}(2)")
        raise ToolError(
            f"unknown name {name!r}: allowed functions are {', '.join(_FUNCTIONS)}; "
            f"constants are {', '.join(_CONSTANTS)}"
        )

    def _unary(self, node: ast.UnaryOp) -> Number:
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return operand
        raise ToolError(f"operator {type(node.op).__name__} is not allowed: use + or -")

    def _binary(self, node: ast.BinOp) -> Number:
        apply = _BINARY.get(type(node.op))
        if apply is None:
            raise ToolError(
                f"operator {type(node.op).__name__} is not allowed: use + - * / // % or **"
            )
        left = self.visit(node.left)
        right = self.visit(node.right)
        if isinstance(node.op, ast.Pow):
            _check_power(left, right)
        return self._apply(apply, left, right)

    def _call(self, node: ast.Call) -> Number:
        if not isinstance(node.func, ast.Name):
            self.visit(node.func)  # raises for attributes, lambdas and the like
            raise ToolError("only the allowed functions can be called, by name, e.g. sqrt(2)")
        name = node.func.id
        if name not in _FUNCTIONS:
            self._name(name)  # raises the "unknown name" error
            raise ToolError(f"{name} is a constant, not a function")
        if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
            raise ToolError(f"{name}() takes positional arguments only")
        function, fewest, most = _FUNCTIONS[name]
        if len(node.args) < fewest or (most is not None and len(node.args) > most):
            if most is None:
                expected = f"at least {fewest} arguments"
            elif fewest == most:
                expected = f"{fewest} argument" + ("s" if fewest > 1 else "")
            else:
                expected = f"{fewest} or {most} arguments"
            raise ToolError(f"{name}() takes {expected}, got {len(node.args)}")
        args = [self.visit(arg) for arg in node.args]
        return self._apply(function, *args, name=name)

    def _apply(self, function: Callable[..., Number], *args: Number, name: str = "") -> Number:
        try:
            result = function(*args)
        except ZeroDivisionError:
            raise ToolError(f"division by zero in {self.expression!r}") from None
        except OverflowError:
            raise ToolError(f"{self.expression!r} is too large to compute") from None
        except (ValueError, TypeError) as error:
            where = f"{name}({', '.join(map(str, args))})" if name else self.expression
            raise ToolError(f"cannot compute {where}: {error}") from None
        return self._checked(result)

    def _checked(self, value: object) -> Number:
        if isinstance(value, complex):
            raise ToolError(f"{self.expression!r} has no real value")
        if isinstance(value, float) and not math.isfinite(value):
            raise ToolError(f"{self.expression!r} is too large to compute")
        if isinstance(value, int) and abs(value).bit_length() > _MAX_RESULT_BITS:
            raise ToolError(
                f"{self.expression!r} is too large: results are limited to "
                f"{MAX_RESULT_DIGITS} digits"
            )
        if not isinstance(value, int | float):
            raise ToolError(f"{self.expression!r} did not give a number")
        return value


def _check_power(base: Number, exponent: Number) -> None:
    """Refuse a power before computing it when it would be huge or slow."""
    if abs(exponent) > MAX_EXPONENT:
        raise ToolError(f"exponent {exponent} is too large: the limit is {MAX_EXPONENT}")
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0:
        if (abs(base).bit_length() - 1) * exponent > _MAX_RESULT_BITS:
            raise ToolError(
                f"{base}**{exponent} is too large: results are limited to "
                f"{MAX_RESULT_DIGITS} digits"
            )
