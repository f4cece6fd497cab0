"""Parsing Python source safely from any thread.

CPython 3.11 keeps the counter its AST builder checks in interpreter-wide state, so two
threads turning source into AST objects at once can fail with "SystemError: AST
constructor recursion depth mismatch" (python/cpython#106905). It happened in an eval
run, where parallel cases trace code while a calculator parses an expression. Every
parse in this package goes through here, under one lock; parsing holds the GIL anyway,
so the lock costs no parallelism.
"""

from __future__ import annotations

import ast
import threading
from typing import Any

__all__ = ["literal", "parse_expression", "parse_module"]

_LOCK = threading.Lock()


def parse_module(source: str, filename: str = "<unknown>") -> ast.Module:
    """`ast.parse(source, filename)`, one thread at a time."""
    with _LOCK:
        return ast.parse(source, filename=filename)


def parse_expression(source: str) -> ast.Expression:
    """`ast.parse(source, mode="eval")`, one thread at a time."""
    with _LOCK:
        return ast.parse(source, mode="eval")


def literal(source: str) -> Any:
    """`ast.literal_eval(source)`, one thread at a time."""
    with _LOCK:
        return ast.literal_eval(source)
