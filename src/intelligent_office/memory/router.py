"""The memory query router: which kind of memory a question is about.

- *recent*: what was ingested in a period ("what did I ingest last week?");
- *conversation*: past tasks, their answers and feedback ("what did I ask about the
  pipeline last time?");
- *documents*: everything else — a hybrid search of the ingested documents, limited to a
  period when the question names one ("what do the notes from this week say about X?").

Periods are read relative to `now` (UTC): today, yesterday, this/last week or month,
the past/last N hours/days/weeks/months, since or on YYYY-MM-DD. "Last week" means the
past seven days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

__all__ = ["Route", "RoutedQuery", "route_question"]


class Route(StrEnum):
    """Where a question is answered from."""

    DOCUMENTS = "documents"
    RECENT = "recent"
    CONVERSATION = "conversation"


@dataclass(frozen=True)
class RoutedQuery:
    """A question with its route and the period it names, if any."""

    route: Route
    question: str
    since: datetime | None = None
    until: datetime | None = None
    period: str | None = None
    """The words that named the period, e.g. "last week"."""


_UNITS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30}
_RELATIVE = re.compile(
    r"\b(?:in\s+)?(?:the\s+)?(?:past|last)\s+(\d+|a|one|two|three|few)\s+(hour|day|week|month)s?\b",
    re.IGNORECASE,
)
_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "few": 3}
_DATE = re.compile(r"\b(since|on|after)\s+(\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)
_NAMED = re.compile(
    r"\b(today|yesterday|this week|last week|past week|this month|last month|past month)\b",
    re.IGNORECASE,
)
_INGEST_WORDS = re.compile(
    r"\b(ingest(?:ed)?|add(?:ed)?|import(?:ed)?|index(?:ed)?|upload(?:ed)?|new)\b"
    r"|\bwhat\s+(?:documents|files|docs)\b|\bwhich\s+(?:documents|files|docs)\b",
    re.IGNORECASE,
)
_CONVERSATION = re.compile(
    r"\b(did i|have i|i asked|i ran|my (?:last|previous|earlier|past) (?:tasks?|questions?|"
    r"requests?)|last time|previously|you (?:said|answered|told|found)|we (?:did|discussed)|"
    r"(?:past|previous|earlier) (?:tasks?|questions?|answers?|conversations?)|"
    r"what was the answer|remember when)\b",
    re.IGNORECASE,
)


def _start_of_day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _period(question: str, now: datetime) -> tuple[datetime | None, datetime | None, str | None]:
    if match := _RELATIVE.search(question):
        count_text, unit = match.group(1).lower(), match.group(2).lower()
        count = int(count_text) if count_text.isdigit() else _NUMBERS[count_text]
        return now - timedelta(days=count * _UNITS[unit]), None, match.group(0).strip()
    if match := _DATE.search(question):
        day = datetime.fromisoformat(match.group(2)).replace(tzinfo=UTC)
        if match.group(1).lower() == "on":
            return day, day + timedelta(days=1), match.group(0)
        return day, None, match.group(0)
    if match := _NAMED.search(question):
        name = match.group(1).lower()
        today = _start_of_day(now)
        spans = {
            "today": (today, None),
            "yesterday": (today - timedelta(days=1), today),
            "this week": (today - timedelta(days=today.weekday()), None),
            "last week": (now - timedelta(days=7), None),
            "past week": (now - timedelta(days=7), None),
            "this month": (today.replace(day=1), None),
            "last month": (now - timedelta(days=30), None),
            "past month": (now - timedelta(days=30), None),
        }
        since, until = spans[name]
        return since, until, name
    return None, None, None


def route_question(question: str, now: datetime | None = None) -> RoutedQuery:
    """Pick the route for a question and read the period it names."""
    moment = now or datetime.now(UTC)
    since, until, period = _period(question, moment)
    if period is not None and _INGEST_WORDS.search(question):
        return RoutedQuery(Route.RECENT, question, since, until, period)
    if _CONVERSATION.search(question):
        return RoutedQuery(Route.CONVERSATION, question, since, until, period)
    return RoutedQuery(Route.DOCUMENTS, question, since, until, period)
