"""A task's own acceptance criteria: judged by the reviewer, machine checks in the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from intelligent_office.models import Criterion, CriterionKind
from intelligent_office.office import DeadLetterCategory, TaskStatus
from intelligent_office.store import Store
from tests.office.flow_runner import FlowRunner


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(f"sqlite:///{tmp_path / 'runtime.db'}")
    yield opened
    opened.close()


def criteria(*specs: str) -> dict[str, object]:
    return {"task": {"criteria": [Criterion.parse(spec) for spec in specs]}}


async def test_every_criterion_met_is_shown_passed_on_the_review(
    store: Store, workspace: Path
) -> None:
    done = await FlowRunner(store, workspace).run(
        "Read the file notes/todos.txt",
        **criteria(
            r"regex:TODO: write the \w+",
            "file:notes/todos.txt",
            "command:grep -q milk notes/todos.txt",
            "the answer mentions the report",
        ),
    )
    assert done.output.status is TaskStatus.COMPLETED, done.output.failure_reason
    (decided,) = done.payloads("review.decided")
    assert decided["decision"] == "APPROVE"
    judged = decided["criteria"]
    assert isinstance(judged, list)
    assert [(c["criterion"]["kind"], c["passed"]) for c in judged] == [  # type: ignore[index]
        ("regex", True),
        ("file", True),
        ("command", True),
        ("text", True),
    ]
    assert judged[2]["detail"] == "exit code 0"  # type: ignore[index]
    assert judged[3]["judged_by"] == "offline"  # type: ignore[index]


async def test_a_failed_machine_check_revises_with_its_failure_then_fails(
    store: Store, workspace: Path
) -> None:
    done = await FlowRunner(store, workspace).run(
        "Read the file notes/todos.txt",
        max_iterations=2,
        **criteria("file:out/summary.md", "command:grep -q coffee notes/todos.txt"),
    )
    assert done.output.status is TaskStatus.DEAD_LETTERED
    assert done.output.failure_category is DeadLetterCategory.REVIEW
    reviews = done.payloads("review.decided")
    assert [r["decision"] for r in reviews] == ["REVISE", "REVISE"]
    feedback = str(reviews[0]["feedback"])
    assert "file: out/summary.md (does not exist)" in feedback
    assert "command: grep -q coffee notes/todos.txt (exit code 1)" in feedback
    assert "no approved result after 2 iterations" in str(done.output.failure_reason)
    (letter,) = done.records.dead_letters.values()
    assert "acceptance checks failed" in str(letter["reason"])


async def test_a_file_check_outside_the_workspace_fails_rather_than_looks(
    store: Store, workspace: Path
) -> None:
    (workspace.parent / "elsewhere.txt").write_text("x")
    done = await FlowRunner(store, workspace).run(
        "Read the file notes/todos.txt", max_iterations=1, **criteria("file:../elsewhere.txt")
    )
    (decided,) = done.payloads("review.decided")
    (judged,) = decided["criteria"]  # type: ignore[misc]
    assert judged["passed"] is False and "outside the workspace" in judged["detail"]


def test_criteria_parse_from_their_cli_spelling() -> None:
    assert Criterion.parse("regex:^\\d+$").kind is CriterionKind.REGEX
    assert Criterion.parse("  plain words ").model_dump() == {
        "kind": "text",
        "value": "plain words",
    }
    with pytest.raises(ValueError, match="does not compile"):
        Criterion.parse("regex:(unclosed")
