"""No part of a request is dropped: code, quotes and "and then" in any position."""

from __future__ import annotations

import pytest

from intelligent_office.llm.offline.intents import parse_intent, split_requests


def _described(task: str) -> list[str | None]:
    return [
        (intent.describe() if (intent := parse_intent(piece)) else None)
        for piece, _ in split_requests(task)
    ]


PYTHON_1 = "Run this Python code:\n```python\nprint(1)\n```"


@pytest.mark.parametrize(
    ("task", "expected"),
    [
        (
            "Run this Python code: `print(1)` and then calculate 6 * 7",
            [PYTHON_1, "Calculate 6 * 7"],
        ),
        (
            "Calculate 6 * 7 and then run this Python code: `print(1)`",
            ["Calculate 6 * 7", PYTHON_1],
        ),
        ("Run `print(1)` and calculate 6 * 7", [PYTHON_1, "Calculate 6 * 7"]),
        (
            "Run this code:\n```python\nprint('a and then b')\n```\nand then calculate 2+2",
            ["Run this Python code:\n```python\nprint('a and then b')\n```", "Calculate 2+2"],
        ),
        (
            'Write "a and then b" to out/x.txt and then calculate 1+1',
            ['Write "a and then b" to the file out/x.txt', "Calculate 1+1"],
        ),
        ("And then calculate 2+2", ["Calculate 2+2"]),
        (
            "Run `print(1)`. Then calculate 6 * 7. And then list the files in app",
            [PYTHON_1, "Calculate 6 * 7", "List * files in app"],
        ),
        ('Search for "and then" in app', ['Search for "and then" in app']),
        ("Add 19 and 23", ["Calculate 19 + 23"]),
        (
            "Read app/config.py and summarize it",
            ["Read the file app/config.py", "Summarize the file app/config.py"],
        ),
    ],
)
def test_every_request_of_a_task_becomes_a_subtask(task: str, expected: list[str]) -> None:
    assert _described(task) == expected


@pytest.mark.parametrize(
    ("task", "done", "not_done"),
    [
        ("Calculate 6 * 7 and tell me a joke", "Calculate 6 * 7", "tell me a joke"),
        ("Run `print(1)` and then email the result to Bob", PYTHON_1, "email the result to Bob"),
        (
            "List the python files in app and delete the tests",
            "List *.py files in app",
            "delete the tests",
        ),
        ("Calculate 6 * 7. Translate it", "Calculate 6 * 7", "Translate it"),
    ],
)
def test_a_part_the_brain_cannot_do_stays_in_the_task(task: str, done: str, not_done: str) -> None:
    pieces = split_requests(task)
    assert _described(task)[0] == done
    assert [piece for piece, _ in pieces][1].rstrip(".") == not_done


def test_then_makes_the_next_request_wait() -> None:
    pieces = split_requests("Run this Python code: `print(1)` and then calculate 6 * 7")
    assert [after for _, after in pieces] == [False, True]
