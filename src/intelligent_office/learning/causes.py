"""Failure analysis: dead letters and poor ratings grouped by cause.

A cause is what the failures share: the dead-letter category (or `rating`), what the
offline brain understood the request as (its intent), the plan's shape (its tools in
order), and the error with names and numbers blanked out, so that "root 'a/pkg' does
not exist" and "root 'b/lib' does not exist" are one cause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from intelligent_office.llm.offline.intents import parse_intent
from intelligent_office.store import Store
from intelligent_office.store.tables import FeedbackRow

__all__ = ["Cause", "Failure", "error_pattern", "find_causes"]

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")
_NUMBER = re.compile(r"\b\d+(\.\d+)?\b")
_HEX = re.compile(r"\b[0-9a-f]{12,}\b")
_ERROR_CLASS = re.compile(r"^([A-Z][A-Za-z]*(?:Error|Exception|Denied|Timeout)):")


@dataclass(frozen=True)
class Failure:
    """One failed or poorly rated task, reduced to what its cause is made of."""

    source: str
    """`dead_letter:<id>` or `feedback:<id>`."""
    task_id: str
    request: str
    category: str
    intent: str
    shape: tuple[str, ...]
    error: str
    inputs: dict[str, Any] = field(default_factory=dict)
    workspace: str | None = None

    @property
    def error_class(self) -> str:
        """`ToolError` from "ToolError: ...", else the empty string."""
        found = _ERROR_CLASS.match(self.error)
        return found.group(1) if found else ""

    @property
    def key(self) -> str:
        """The cause this failure belongs to."""
        return "|".join(
            (self.category, self.intent, "+".join(self.shape) or "-", error_pattern(self.error))
        )


@dataclass
class Cause:
    """Failures that share a cause, most recent first."""

    key: str
    failures: list[Failure]

    @property
    def first(self) -> Failure:
        """The most recent example."""
        return self.failures[0]

    @property
    def count(self) -> int:
        """How many failures had this cause."""
        return len(self.failures)


def error_pattern(error: str) -> str:
    """The error with quoted names, ids and numbers blanked: one pattern per kind of error."""
    text = _QUOTED.sub("*", error.strip().splitlines()[0] if error.strip() else "")
    text = _HEX.sub("*", text)
    return _NUMBER.sub("N", text)[:200]


def _intent_of(request: str) -> str:
    intent = parse_intent(request)
    return intent.kind.value if intent is not None else "unknown"


def _last_iteration(subtask: dict[str, Any]) -> dict[str, Any]:
    iterations = subtask.get("iterations") or []
    return iterations[-1] if iterations and isinstance(iterations[-1], dict) else {}


def _step_error(iteration: dict[str, Any]) -> str:
    execution = iteration.get("execution") or {}
    for step in execution.get("steps") or []:
        if step.get("errors"):
            return str(step["errors"][-1])
    review = iteration.get("review") or {}
    validation = iteration.get("validation") or {}
    issues = validation.get("issues") or []
    if issues:
        return "; ".join(str(issue.get("message", "")) for issue in issues[:2])
    return str(review.get("feedback") or iteration.get("error") or "")


def _from_dead_letter(
    letter_id: str, category: str, reason: str, history: dict[str, Any]
) -> list[Failure]:
    task = history.get("task") or {}
    context = task.get("context") or {}
    workspace = context.get("workspace") if isinstance(context.get("workspace"), str) else None
    failures = []
    for subtask in (history.get("subtasks") or {}).values():
        if not isinstance(subtask, dict) or subtask.get("status") == "completed":
            continue
        request = str((subtask.get("subtask") or {}).get("description") or task.get("description"))
        iteration = _last_iteration(subtask)
        plan = iteration.get("plan") or {}
        steps = plan.get("steps") or []
        failures.append(
            Failure(
                source=f"dead_letter:{letter_id}",
                task_id=str(task.get("task_id", "")),
                request=request,
                category=category,
                intent=_intent_of(request),
                shape=tuple(str(step.get("action")) for step in steps),
                error=_step_error(iteration) or reason,
                inputs=dict(steps[0].get("inputs") or {}) if steps else {},
                workspace=workspace,
            )
        )
    if not failures:  # failed before any subtask was planned
        request = str(task.get("description", ""))
        failures.append(
            Failure(
                source=f"dead_letter:{letter_id}",
                task_id=str(task.get("task_id", "")),
                request=request,
                category=category,
                intent=_intent_of(request),
                shape=(),
                error=reason,
                workspace=workspace,
            )
        )
    return failures


def _from_feedback(store: Store, max_rating: int, limit: int) -> list[Failure]:
    query = (
        select(FeedbackRow)
        .where(FeedbackRow.rating.is_not(None), FeedbackRow.rating <= max_rating)
        .order_by(FeedbackRow.id.desc())
        .limit(limit)
    )
    with Session(store.engine) as session:
        rows = [(row.id, row.task_id, row.rating, row.comment) for row in session.scalars(query)]
    failures = []
    for feedback_id, task_id, rating, comment in rows:
        task = store.tasks.get(task_id)
        if task is None:
            continue
        shape: list[str] = []
        for event in store.events.read(task_id, limit=10_000):
            steps = event.payload.get("steps")
            if event.type == "plan.created" and isinstance(steps, list):
                shape = [str(step.get("action")) for step in steps if isinstance(step, dict)]
        failures.append(
            Failure(
                source=f"feedback:{feedback_id}",
                task_id=task_id,
                request=task.description,
                category="rating",
                intent=_intent_of(task.description),
                shape=tuple(shape),
                error=f"rated {rating}/5" + (f": {comment}" if comment else ""),
                workspace=(task.body.get("context") or {}).get("workspace"),
            )
        )
    return failures


def find_causes(store: Store, *, max_rating: int = 2, limit: int = 500) -> list[Cause]:
    """Dead letters and ratings of `max_rating` or less, grouped by cause, largest first."""
    failures: list[Failure] = []
    for letter in store.dead_letters.recent(limit=limit):
        failures += _from_dead_letter(letter.id, letter.category, letter.reason, letter.history)
    failures += _from_feedback(store, max_rating, limit)
    grouped: dict[str, Cause] = {}
    for failure in failures:
        grouped.setdefault(failure.key, Cause(key=failure.key, failures=[])).failures.append(
            failure
        )
    return sorted(grouped.values(), key=lambda cause: (-cause.count, cause.key))
