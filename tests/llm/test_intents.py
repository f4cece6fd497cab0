"""The offline brain's reading of requests: what it understands, and what it refuses to guess."""

from __future__ import annotations

import pytest

from intelligent_office.llm.offline.intents import IntentKind, parse_intent, split_requests

UNDERSTOOD = [
    (
        'Write "hello world" to notes.md',
        IntentKind.WRITE_FILE,
        {"content": "hello world", "path": "notes.md"},
    ),
    (
        "save 'a, b' into the file out/list.txt",
        IntentKind.WRITE_FILE,
        {"content": "a, b", "path": "out/list.txt"},
    ),
    (
        "Trace the call sequence from main() to process_data() in examples/sample_app",
        IntentKind.TRACE,
        {"start": "main", "end": "process_data", "root": "examples/sample_app"},
    ),
    (
        "Trace the call sequence from main() to process_data() in ./examples/sample_app.",
        IntentKind.TRACE,
        {"start": "main", "end": "process_data", "root": "./examples/sample_app"},
    ),
    (
        "Trace from main() to process_data()",
        IntentKind.TRACE,
        {"start": "main", "end": "process_data", "root": "."},
    ),
    (
        "Show the calls between main and app.core.process_data in src",
        IntentKind.TRACE,
        {"start": "main", "end": "app.core.process_data", "root": "src"},
    ),
    (
        "Where is process_data() defined?",
        IntentKind.FIND_FUNCTION,
        {"name": "process_data", "root": "."},
    ),
    (
        "who calls load_records in src",
        IntentKind.FIND_FUNCTION,
        {"name": "load_records", "root": "src"},
    ),
    (
        "List python files in examples",
        IntentKind.LIST_FILES,
        {"pattern": "*.py", "path": "examples"},
    ),
    ("Read .env", IntentKind.READ_FILE, {"path": ".env"}),
    ("Show notes/todo.txt", IntentKind.READ_FILE, {"path": "notes/todo.txt"}),
    ('Search for "TODO" in src', IntentKind.SEARCH, {"pattern": "TODO", "path": "src"}),
    ("Summarize README.md", IntentKind.SUMMARIZE, {"path": "README.md"}),
    ("What is 2^10?", IntentKind.CALCULATE, {"expression": "2^10"}),
    ("Calculate sqrt(16) + pi", IntentKind.CALCULATE, {"expression": "sqrt(16) + pi"}),
    ("Run this Python code: `print(1)`", IntentKind.PYTHON, {"code": "print(1)"}),
    # Percentages are arithmetic now (issue 19): "15% of 200" is 15 / 100 * 200.
    ("What is 15% of 200?", IntentKind.CALCULATE, {"expression": "15 / 100 * 200"}),
]


@pytest.mark.parametrize(("text", "kind", "params"), UNDERSTOOD)
def test_understood_requests_round_trip_through_their_description(
    text: str, kind: IntentKind, params: dict[str, str]
) -> None:
    intent = parse_intent(text)
    assert intent is not None and intent.kind is kind and intent.params == params
    assert parse_intent(intent.describe()) == intent


@pytest.mark.parametrize(
    "text",
    [
        "Send an email to Bob",
        "write hello to notes.md",
        "Find the bug in process_data",
        "Show errors in app.log",
        "What is 15% of the budget?",
        "3 dollars plus 4",
        "What is the meaning of life",
        "summarize it",
        "find README.md",
        "Trace the call sequence from main() to process_data() in src excluding tests",
    ],
)
def test_requests_it_does_not_understand_are_not_guessed(text: str) -> None:
    assert parse_intent(text) is None


def test_no_part_of_a_task_is_dropped() -> None:
    parts = split_requests(
        "Trace the call sequence from main() to process_data() in examples/sample_app"
        " and then summarize notes/release.md"
    )
    assert [after for _, after in parts] == [False, True]
    assert [parse_intent(text).kind for text, _ in parts] == [
        IntentKind.TRACE,
        IntentKind.SUMMARIZE,
    ]  # type: ignore[union-attr]
    parts = split_requests(
        "Find where main() is defined. Then trace the calls from main to run in src"
    )
    assert [(parse_intent(t).kind, after) for t, after in parts] == [  # type: ignore[union-attr]
        (IntentKind.FIND_FUNCTION, False),
        (IntentKind.TRACE, True),
    ]


def test_code_is_never_split() -> None:
    text = "Run this Python code: `x = 1; print(x) if x else None`"
    assert split_requests(text) == [(text, False)]


def test_a_planning_result_holds_a_plan_or_a_gap_report_never_neither() -> None:
    from pydantic import ValidationError

    from intelligent_office.llm import PlanningResult

    with pytest.raises(ValidationError, match="either a plan or a tool-gap report"):
        PlanningResult()
