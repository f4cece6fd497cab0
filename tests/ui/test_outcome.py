"""The task page's status line says how a task ended, in its own words and colour."""

from __future__ import annotations

from intelligent_office.api.ui.outcome import gap_reports, task_outcome, web_answer
from intelligent_office.api.ui.task_view import SubtaskLine


def lines(*statuses: str) -> dict[str, SubtaskLine]:
    return {
        f"s{n}": SubtaskLine(f"s{n}", f"subtask {n}", [], status)
        for n, status in enumerate(statuses, 1)
    }


def test_a_completed_task_is_a_full_green_bar() -> None:
    outcome = task_outcome("completed", 1.0, lines("completed", "completed"))
    assert (outcome.tone, outcome.fraction, outcome.label) == ("ok", 1.0, "100%")


def test_a_dead_lettered_task_is_red_and_counts_what_was_done() -> None:
    outcome = task_outcome("dead_lettered", 1.0, lines("completed", "failed", "completed"))
    assert outcome.tone == "bad"
    assert outcome.fraction == 2 / 3
    assert outcome.label == "2 of 3 subtasks done"
    assert "dead-letter" in outcome.headline


def test_an_unsupported_task_is_not_a_success() -> None:
    outcome = task_outcome("unsupported", 1.0, lines("unsupported"))
    assert (outcome.tone, outcome.fraction, outcome.label) == ("warn", 0.0, "0 of 1 subtasks done")
    assert outcome.headline.startswith("Not supported")
    assert task_outcome("unsupported", 1.0, {}).label == "nothing was done"


def test_a_running_task_shows_the_api_progress() -> None:
    outcome = task_outcome("running", 0.42, lines("completed", "running"))
    assert (outcome.tone, outcome.fraction, outcome.label, outcome.headline) == (
        "run",
        0.42,
        "42%",
        "",
    )


def test_the_web_answer_of_a_dead_letter_drops_the_cli_commands() -> None:
    answer = (
        "The task could not be finished (validation): subtask s2: no file notes/todo.txt\n"
        "Dead letter abc123: `office dlq show abc123` to inspect,"
        " `office dlq retry abc123 --description ...` to resubmit.\n\nWhat was done:\n## s1\n42"
    )
    shown = web_answer(answer, "abc123")
    assert "office dlq" not in shown
    assert shown.startswith("The task could not be finished (validation)")
    assert shown.endswith("What was done:\n## s1\n42")
    assert web_answer(answer, None) == answer


def test_gap_reports_are_read_back_and_an_unreadable_one_is_skipped() -> None:
    report = {
        "task_id": "t1",
        "subtask_id": "s1",
        "request": "Send an email to Bob",
        "missing_capabilities": ["send_email"],
        "planner": "offline",
        "suggestion": "Add an email tool (e.g. through an MCP server).",
    }
    parsed = gap_reports([report, {"nonsense": True}])
    assert [gap.missing_capabilities for gap in parsed] == [["send_email"]]
