"""A task's events as short lines of text, for chat clients that show only text.

"decomposed into 2 subtasks", "s1: plan validated", "s1: step trace ran",
"approval needed: ... (approve in the UI or with office approve ID)". Bookkeeping
events (runs, model calls, node starts) say nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from intelligent_office.models import Event

__all__ = ["progress_line"]

_WIDTH = 240


def progress_line(event: Event) -> str | None:
    """What a person should read about this event, or None."""
    data: dict[str, Any] = dict(event.payload)
    if event.type.startswith("node."):
        return _node(event.type.removeprefix("node."), data)
    describe = _LINES.get(event.type)
    line = describe(data) if describe is not None else None
    return _short(line) if line else None


def _short(text: str, width: int = _WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _subtask(data: dict[str, Any]) -> str:
    return str(data.get("subtask_id") or "?")


def _decomposed(data: dict[str, Any]) -> str:
    count = len(data.get("subtasks") or [])
    return f"decomposed into {count} subtask{'' if count == 1 else 's'}"


def _planned(data: dict[str, Any]) -> str:
    steps = data.get("steps") or []
    actions = ", ".join(str(step.get("action")) for step in steps)
    confidence = data.get("confidence")
    sure = f", confidence {confidence:.2f}" if isinstance(confidence, int | float) else ""
    model = f", {data['model']}" if data.get("model") else ""
    return (
        f"{_subtask(data)}: plan {data.get('iteration', 1)} with {len(steps)}"
        f" step{'' if len(steps) == 1 else 's'} ({actions}{sure}{model})"
    )


def _rejected(data: dict[str, Any]) -> str:
    reasons = "; ".join(str(reason) for reason in data.get("reasons") or [])
    return f"{_subtask(data)}: plan rejected" + (f": {reasons}" if reasons else "")


def _reviewed(data: dict[str, Any]) -> str:
    feedback = str(data.get("feedback") or "")
    return f"{_subtask(data)}: review {data.get('decision')}" + (
        f": {feedback}" if feedback else ""
    )


def _subtask_ended(status: str) -> Callable[[dict[str, Any]], str]:
    def line(data: dict[str, Any]) -> str:
        reason = str(data.get("reason") or "")
        return f"{_subtask(data)}: {status}" + (f": {reason}" if reason else "")

    return line


def _approval(data: dict[str, Any]) -> str:
    approval_id = data.get("approval_id")
    return (
        f"approval needed: {data.get('subject')} (approve in the UI at /ui/approvals"
        f" or with office approve {approval_id})"
    )


def _budget(data: dict[str, Any]) -> str:
    used = data.get("used")
    share = f"{used:.0%}" if isinstance(used, int | float) else "most"
    return f"budget warning: {share} of the {data.get('budget', 'task')} budget spent"


def _node(kind: str, data: dict[str, Any]) -> str | None:
    scope = str(data.get("scope") or "").split("/")  # subtask/<id>/iter/<n>
    if len(scope) != 4 or scope[0] != "subtask":
        return None
    step = f"{scope[1]}: step {data.get('node_id')}"
    raw = data.get("error")
    error = _short(raw if isinstance(raw, str) else json.dumps(raw), 160) if raw else ""
    if kind == "completed":
        return f"{step} ran"
    if kind == "failed":
        return _short(f"{step} failed: {error}")
    if kind == "retrying":
        return _short(f"{step} failed, retrying: {error}")
    return None


_LINES: dict[str, Callable[[dict[str, Any]], str]] = {
    "task.decomposed": _decomposed,
    "subtask.started": lambda data: f"{_subtask(data)}: {data.get('description', '')}",
    "plan.created": _planned,
    "plan.validated": lambda data: f"{_subtask(data)}: plan validated",
    "plan.rejected": _rejected,
    "review.decided": _reviewed,
    "subtask.completed": _subtask_ended("completed"),
    "subtask.failed": _subtask_ended("failed"),
    "subtask.unsupported": _subtask_ended("unsupported"),
    "subtask.skipped": _subtask_ended("skipped"),
    "approval.requested": _approval,
    "approval.decided": lambda data: f"approval {data.get('approval_id')}: {data.get('status')}",
    "budget.warning": _budget,
    "dead_letter.created": lambda data: (
        f"dead-lettered ({data.get('category')}): {data.get('reason')}"
    ),
    "task.cancelled": lambda data: f"cancelled: {data.get('reason') or 'on request'}",
}
