"""How an answer states what the call graph could not see: the words both reviewers use.

A trace that finds no chain is only as strong as the calls the analyzer resolved. When
calls reachable from the start could not be resolved, a plain "No call path" would be a
claim the outputs do not support: the answer says which calls were not followed.
"""

from __future__ import annotations

from typing import Any

__all__ = ["UNRESOLVED_MARK", "no_path_answer", "unresolved_count", "unresolved_sentence"]

UNRESOLVED_MARK = "could not be resolved"
"""The words by which an answer says that unresolved calls were not followed."""


def unresolved_count(out: dict[str, Any]) -> int:
    """How many reachable calls a `trace_calls` output could not resolve."""
    unresolved = out.get("unresolved") or {}
    return int(unresolved.get("count") or 0) if isinstance(unresolved, dict) else 0


def unresolved_sentence(out: dict[str, Any]) -> str:
    """`N calls could not be resolved: a.b() at f.py:3, ...`; empty when there are none."""
    count = unresolved_count(out)
    if count == 0:
        return ""
    examples = [
        f"{item['call']} at {item['file']}:{item['line']}"
        for item in (out.get("unresolved") or {}).get("examples") or []
    ]
    listed = ", ".join(examples)
    more = f" and {count - len(examples)} more" if count > len(examples) else ""
    noun = "call" if count == 1 else "calls"
    return f"{count} {noun} {UNRESOLVED_MARK}: {listed}{more}"


def no_path_answer(out: dict[str, Any], start: str, end: str, root: str) -> str:
    """The answer when `trace_calls` found no chain from `start` to `end`."""
    parsed = out.get("files_parsed", 0)
    sentence = unresolved_sentence(out)
    if not sentence:
        return f"No call path from {start}() to {end}() in {root} ({parsed} files analysed)."
    return (
        f"From {start}() to {end}() in {root}: no path found through statically resolvable "
        f"calls ({parsed} files analysed); {sentence}. Any of them may lead to {end}(), "
        "so a path may still exist."
    )
