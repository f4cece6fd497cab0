"""From a cause to planner guidance: a few specific rules, then a generic note.

Each rule looks at a cause and, when it recognises it, says what a planner should do
differently as an adjustment the offline planner can act on (see
`llm/offline/guidance.py`); a cause no rule recognises becomes a note in words, which
model planners read with the task.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from intelligent_office.learning.causes import Cause, error_pattern
from intelligent_office.llm.offline.intents import parse_intent
from intelligent_office.llm.offline.planner import strategies_for

__all__ = ["Advice", "diagnose"]

_ROOTED = {"trace_calls", "find_function"}


@dataclass(frozen=True)
class Advice:
    """What to tell the planner about a cause."""

    text: str
    adjustment: dict[str, Any] = field(default_factory=dict)
    tool: str | None = None


def _src_layout(cause: Cause) -> Advice | None:
    failure = cause.first
    tool = next((name for name in failure.shape if name in _ROOTED), None)
    if tool is None or "does not exist" not in failure.error:
        return None
    what = "trace" if tool == "trace_calls" else "search for definitions"
    return Advice(
        text=(
            f"For a {what} in a package with a src/ layout, root the {what} at src"
            " (proj/src/pkg, not proj/pkg): the package directory is under src/."
        ),
        adjustment={"kind": "root_at_src"},
        tool=tool,
    )


def _later_strategy(cause: Cause) -> Advice | None:
    failure = cause.first
    intent = parse_intent(failure.request)
    if intent is None or not failure.shape:
        return None
    strategies = strategies_for(intent)
    first = tuple(step.action for step in strategies[0])
    if len(strategies) < 2 or failure.shape != first:
        return None
    instead = " then ".join(step.action for step in strategies[1])
    return Advice(
        text=(
            f"For {intent.kind.value} requests like this, {'+'.join(first)} failed"
            f" ({error_pattern(failure.error)}): start with {instead} instead."
        ),
        adjustment={"kind": "start_at_strategy", "index": 1},
        tool=first[0],
    )


def _note(cause: Cause) -> Advice:
    failure = cause.first
    shape = " then ".join(failure.shape) or "no plan"
    return Advice(
        text=(
            f"{cause.count} similar request(s) failed ({failure.category}) with {shape}:"
            f" {error_pattern(failure.error)}. Plan differently."
        ),
        adjustment={"kind": "note"},
        tool=failure.shape[0] if failure.shape else None,
    )


_RULES: list[Callable[[Cause], Advice | None]] = [_src_layout, _later_strategy]


def diagnose(cause: Cause) -> Advice:
    """The guidance a cause calls for: the first rule that recognises it, else a note."""
    for rule in _RULES:
        advice = rule(cause)
        if advice is not None:
            return advice
    return _note(cause)
