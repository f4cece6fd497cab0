"""Search does what was typed, and no part of a request is dropped: on real code."""

from __future__ import annotations

import re
from pathlib import Path

import click

from intelligent_office.office import SubtaskStatus, TaskStatus
from tests.office.conftest import TaskRunner

CLICK = Path(click.__file__).parent


def _lines_matching(regex: str, root: Path) -> int:
    pattern = re.compile(regex)
    return sum(
        1
        for file in root.rglob("*.py")
        for line in file.read_text(encoding="utf-8").splitlines()
        if pattern.search(line)
    )


async def test_a_quoted_regex_is_searched_as_written_in_an_installed_package(
    run_task: TaskRunner,
) -> None:
    expected = _lines_matching(r"warnings\.warn\(", CLICK)
    assert expected > 0
    done = await run_task('Search for "warnings\\.warn\\(" in click', CLICK.parent)
    assert done.output.status is TaskStatus.COMPLETED
    assert f'{expected} match(es) for "warnings\\.warn\\(" (treated as a regular expression)' in (
        done.output.answer
    )
    (outcome,) = done.output.subtasks.values()
    assert len(outcome.iterations) == 1


async def test_a_quoted_text_that_is_no_regex_is_searched_literally(
    run_task: TaskRunner, workspace: Path
) -> None:
    done = await run_task('Search for "process_data(" in examples/sample_app/app', workspace)
    assert done.output.status is TaskStatus.COMPLETED
    assert '2 match(es) for "process_data(" (searched for as literal text)' in done.output.answer
    assert "def process_data(" in done.output.answer


async def test_a_regex_that_finds_nothing_is_tried_as_literal_text(
    run_task: TaskRunner, workspace: Path
) -> None:
    (workspace / "notes" / "env.txt").write_text("set $HOME first\n")
    done = await run_task('Search for "$HOME" in notes', workspace)
    assert done.output.status is TaskStatus.COMPLETED
    assert '1 match(es) for "$HOME" (searched for as literal text)' in done.output.answer


async def test_code_and_then_a_calculation_both_run(run_task: TaskRunner, workspace: Path) -> None:
    done = await run_task("Run this Python code: `print(1)` and then calculate 6 * 7", workspace)
    assert done.output.status is TaskStatus.COMPLETED
    assert [s.status for s in done.output.subtasks.values()] == [SubtaskStatus.COMPLETED] * 2
    assert "6 * 7 = 42" in done.output.answer
    assert done.output.graph is not None and done.output.graph.subtasks[1].dependencies == ["s1"]


async def test_a_part_that_cannot_be_done_is_answered_as_not_done(
    run_task: TaskRunner, workspace: Path
) -> None:
    done = await run_task("Calculate 6 * 7 and tell me a joke", workspace)
    assert done.output.status is TaskStatus.UNSUPPORTED  # not "completed" with a part gone
    assert "6 * 7 = 42" in done.output.answer
    assert "tell me a joke" in done.output.answer
