"""How a task ended, said for what it is: the words, colour and bar of the task page.

A finished task's progress is 1 for the API (nothing more will happen), but a green
full bar on a dead-lettered or unsupported task reads as success. The page shows the
share of subtasks that were done instead, in the colour of the outcome, and for a
tool gap the report as a card with what the Office can do instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pydantic import ValidationError

from intelligent_office.api.ui.task_view import SubtaskLine
from intelligent_office.models.tool_gap import ToolGapReport

__all__ = ["Outcome", "gap_reports", "task_outcome", "web_answer"]

_TONES = {
    "completed": "ok",
    "dead_lettered": "bad",
    "failed": "bad",
    "cancelled": "muted",
    "unsupported": "warn",
}
_HEADLINES = {
    "completed": "Done",
    "dead_lettered": "Not finished: sent to the dead-letter queue",
    "failed": "Failed",
    "cancelled": "Cancelled",
    "unsupported": "Not supported: the Office has no tool for part of this task",
}


@dataclass(frozen=True)
class Outcome:
    """What the status line says: a tone (a CSS class), words and the bar's value."""

    tone: str
    headline: str
    fraction: float
    label: str


def task_outcome(status: str, progress: float, subtasks: Mapping[str, SubtaskLine]) -> Outcome:
    """The status line of a task; `progress` is the API's 0..1 figure for an unfinished one."""
    if status not in _TONES:  # queued or running: the API's progress, as it goes
        return Outcome("run", "", progress, f"{round(progress * 100)}%")
    total = len(subtasks)
    done = sum(1 for line in subtasks.values() if line.status == "completed")
    if status == "completed":
        return Outcome("ok", _HEADLINES[status], 1.0, "100%")
    fraction = done / total if total else 0.0
    label = f"{done} of {total} subtasks done" if total else "nothing was done"
    return Outcome(_TONES[status], _HEADLINES[status], fraction, label)


def web_answer(answer: str, dead_letter_id: str | None) -> str:
    """The answer without the CLI's dead-letter commands: the page links the letter instead."""
    if not dead_letter_id:
        return answer
    line = re.compile(rf"^Dead letter {re.escape(dead_letter_id)}: `office dlq .*$\n?", re.M)
    return line.sub("", answer, count=1).strip()


def gap_reports(reports: Iterable[Mapping[str, object]]) -> list[ToolGapReport]:
    """The task's stored tool-gap reports that still read as reports, by subtask."""
    parsed: list[ToolGapReport] = []
    for report in reports:
        try:
            parsed.append(ToolGapReport.model_validate(report))
        except ValidationError:  # an older shape: the answer still says it in words
            continue
    return sorted(parsed, key=lambda report: report.subtask_id or "")
