"""Step conditions: a small, safe expression language over earlier steps' results.

A plan step's `when` (run the step only if true) and `for_each` (run it once per item
of a list) are expressions in Python syntax, parsed with `ast` and checked node by
node; Python never evaluates them. Allowed:

    steps.<id>.output            the step's output (its tool's result); None if skipped
    steps.<id>.output.<field>    a field of it; `[0]` or `["key"]` index it
    steps["<id>"].status         succeeded, failed or skipped (brackets for ids with '-')
    literals                     "text", 3, 2.5, True, False, None, [1, 2], (1, 2)
    comparisons                  == != < <= > >=  in  not in  (chains too: 0 < x < 5)
    boolean                      and, or, not
    len(x)                       the length of a string, list or object

Anything else (calls but `len`, arithmetic, names but `steps`, attributes but
`output`/`status` and fields below `output`) is refused when the plan is validated,
with a message naming the offending part.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import JsonValue

from intelligent_office.errors import UserError
from intelligent_office.python_ast import parse_expression

__all__ = [
    "MAX_CONDITION_LENGTH",
    "Condition",
    "ConditionError",
    "StepState",
    "parse_condition",
]

MAX_CONDITION_LENGTH = 500
"""Longest expression accepted, in characters."""

_MAX_NODES = 100
"""Most syntax-tree nodes in one expression: conditions are meant to be short."""

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda left, right: left in right,
    ast.NotIn: lambda left, right: left not in right,
}


class ConditionError(UserError):
    """A `when` or `for_each` expression that is not allowed, or fails on the outputs."""


@dataclass(frozen=True)
class StepState:
    """What a condition may see of an earlier step."""

    status: str
    """succeeded, failed or skipped."""
    output: JsonValue = None


@dataclass(frozen=True)
class _Ref:
    """`steps.<id>.output...` or `steps.<id>.status`."""

    step_id: str
    field: str
    path: tuple[str | int, ...]


@dataclass(frozen=True)
class Condition:
    """A parsed expression: the steps it reads, and how to evaluate it."""

    text: str
    tree: ast.expr

    @property
    def steps(self) -> set[str]:
        """Ids of the steps the expression refers to."""
        return {ref.step_id for ref in _references(self.tree)}

    def evaluate(self, states: Mapping[str, StepState]) -> Any:
        """The expression's value over these steps' states.

        Raises:
            ConditionError: a step is not at hand, a field is missing, or types do not fit.
        """
        try:
            return _evaluate(self.tree, states)
        except ConditionError as error:
            raise ConditionError(f"{self.text!r}: {error}") from None
        except (TypeError, ValueError) as error:
            raise ConditionError(f"{self.text!r} cannot be evaluated: {error}") from None

    def holds(self, states: Mapping[str, StepState]) -> bool:
        """Whether the expression is true (Python truthiness: [] and "" are false)."""
        return bool(self.evaluate(states))


def parse_condition(text: str) -> Condition:
    """Parse and check an expression.

    Raises:
        ConditionError: bad syntax, too long, or a construct outside the language.
    """
    source = text.strip()
    if not source:
        raise ConditionError("the expression is empty: write one, e.g. steps.a.output > 0")
    if len(source) > MAX_CONDITION_LENGTH:
        raise ConditionError(
            f"the expression is {len(source)} characters, more than {MAX_CONDITION_LENGTH}:"
            " keep conditions short"
        )
    try:
        tree = parse_expression(source).body
    except SyntaxError as error:
        raise ConditionError(f"{source!r} is not a valid expression: {error.msg}") from None
    if sum(1 for _ in ast.walk(tree)) > _MAX_NODES:
        raise ConditionError(f"{source!r} is too complex: at most {_MAX_NODES} parts")
    _check(tree, source)
    return Condition(text=source, tree=tree)


def _allowed_constant(value: object) -> bool:
    return value is None or isinstance(value, bool | int | float | str)


def _check(node: ast.expr, source: str) -> None:
    """Refuse anything outside the language, naming it."""
    if isinstance(node, ast.Constant):
        if not _allowed_constant(node.value):
            raise ConditionError(f"{source!r}: literal {node.value!r} is not allowed")
        return
    if isinstance(node, ast.List | ast.Tuple):
        for item in node.elts:
            _check(item, source)
        return
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value, source)
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub):
        _check(node.operand, source)
        return
    if isinstance(node, ast.Compare):
        for part in [node.left, *node.comparators]:
            _check(part, source)
        return
    if isinstance(node, ast.Call):
        if not (isinstance(node.func, ast.Name) and node.func.id == "len"):
            raise ConditionError(
                f"{source!r}: only len(...) may be called, not {ast.unparse(node.func)}"
            )
        if len(node.args) != 1 or node.keywords:
            raise ConditionError(f"{source!r}: len takes exactly one argument")
        _check(node.args[0], source)
        return
    if isinstance(node, ast.Attribute | ast.Subscript | ast.Name):
        _reference(node, source)
        return
    raise ConditionError(
        f"{source!r}: {ast.unparse(node)!r} ({type(node).__name__}) is not allowed; use"
        " comparisons, and/or/not, literals, len() and steps.<id>.output or .status"
    )


def _reference(node: ast.expr, source: str) -> _Ref:
    """Read `steps.<id>.(output|status)[.field...]`, or refuse the expression."""
    path: list[str | int] = []
    cursor = node
    while isinstance(cursor, ast.Attribute | ast.Subscript):
        if isinstance(cursor, ast.Attribute):
            path.append(cursor.attr)
        else:
            path.append(_index(cursor.slice, source))
        cursor = cursor.value
    path.reverse()
    if not (isinstance(cursor, ast.Name) and cursor.id == "steps"):
        raise ConditionError(
            f"{source!r}: {ast.unparse(node)!r} is not allowed; refer to earlier steps as"
            " steps.<id>.output or steps.<id>.status"
        )
    if len(path) < 2 or not isinstance(path[0], str) or path[1] not in ("output", "status"):
        raise ConditionError(
            f"{source!r}: {ast.unparse(node)!r} must read steps.<id>.output or steps.<id>.status"
        )
    if path[1] == "status" and len(path) > 2:
        raise ConditionError(f"{source!r}: a step's status has no fields")
    return _Ref(step_id=path[0], field=str(path[1]), path=tuple(path[2:]))


def _index(key: ast.expr, source: str) -> str | int:
    """A constant index: a string, an integer, or a negative integer (from the end)."""
    if isinstance(key, ast.Constant) and isinstance(key.value, str | int):
        return key.value
    if (
        isinstance(key, ast.UnaryOp)
        and isinstance(key.op, ast.USub)
        and isinstance(key.operand, ast.Constant)
        and type(key.operand.value) is int
    ):
        return -key.operand.value
    raise ConditionError(f"{source!r}: index {ast.unparse(key)!r} must be a string or an integer")


def _references(node: ast.expr) -> list[_Ref]:
    found: list[_Ref] = []
    if isinstance(node, ast.Attribute | ast.Subscript):
        found.append(_reference(node, ast.unparse(node)))
        return found
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.expr):
            found.extend(_references(child))
    return found


def _evaluate(node: ast.expr, states: Mapping[str, StepState]) -> Any:  # noqa: C901
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List | ast.Tuple):
        return [_evaluate(item, states) for item in node.elts]
    if isinstance(node, ast.BoolOp):
        is_and = isinstance(node.op, ast.And)
        result: Any = is_and
        for value in node.values:
            result = _evaluate(value, states)
            if bool(result) != is_and:
                return result
        return result
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, states)
        return (not operand) if isinstance(node.op, ast.Not) else -operand
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, states)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _evaluate(comparator, states)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Call):
        return len(_evaluate(node.args[0], states))
    return _lookup(_reference(node, ast.unparse(node)), states)


def _lookup(ref: _Ref, states: Mapping[str, StepState]) -> JsonValue:
    state = states.get(ref.step_id)
    if state is None:
        raise ConditionError(f"step {ref.step_id!r} has not finished here")
    if ref.field == "status":
        return state.status
    value = state.output
    walked = f"steps.{ref.step_id}.output"
    for part in ref.path:
        if isinstance(value, dict) and isinstance(part, str) and part in value:
            value = value[part]
        elif isinstance(value, list) and isinstance(part, int) and -len(value) <= part < len(value):
            value = value[part]
        elif isinstance(value, list) and isinstance(part, str) and part.isdigit():
            value = value[int(part)] if int(part) < len(value) else None
        else:
            have = ", ".join(sorted(value)) if isinstance(value, dict) else type(value).__name__
            raise ConditionError(f"{walked} has no {part!r} (it has: {have})")
        walked += f".{part}"
    return value
