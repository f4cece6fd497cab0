"""End to end, one test per capability of the offline brain: a task in plain language in,
a checked answer out, with the real built-in tools on a real workspace."""

from __future__ import annotations

from pathlib import Path

from intelligent_office.office import SubtaskStatus, TaskStatus
from tests.office.conftest import TaskRunner


def line_of(path: Path, text: str) -> int:
    """The 1-based number of the first line of `path` containing `text`."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


async def test_trace_prints_the_chain_with_file_and_line_for_each_call(
    run_task: TaskRunner, workspace: Path
) -> None:
    app = workspace / "examples" / "sample_app" / "app"
    done = await run_task(
        "Trace the call sequence from main() to process_data() in examples/sample_app",
        workspace,
    )
    assert done.output.status is TaskStatus.COMPLETED
    answer = done.output.answer
    expected = [
        ("app.pipeline.Pipeline.run", f"app/main.py:{line_of(app / 'main.py', '.run(')}"),
        (
            "app.pipeline.Pipeline._stage",
            f"app/pipeline.py:{line_of(app / 'pipeline.py', 'self._stage(')}",
        ),
        (
            "app.core.processing.process_data",
            f"app/pipeline.py:{line_of(app / 'pipeline.py', 'proc.process_data(')}",
        ),
    ]
    position = answer.index("app.main.main()")
    for callee, where in expected:
        found = answer.index(f"-> {callee}()", position)
        assert (
            where in answer[found : answer.index("\n", found) if "\n" in answer[found:] else None]
        )
        position = found
    review = done.payloads("review.decided")
    assert [item["decision"] for item in review] == ["APPROVE"]
    assert done.records.statuses[done.output.task_id] == "completed"


async def test_a_plain_typo_is_traced_as_the_closest_name_and_says_so(
    run_task: TaskRunner, workspace: Path
) -> None:
    done = await run_task(
        "Trace the call sequence from main() to proces_data() in examples/sample_app", workspace
    )
    assert done.output.status is TaskStatus.COMPLETED
    first, *rest = done.output.answer.splitlines()
    assert first.startswith("Not found: proces_data() is not defined")
    assert first.endswith("the closest name is process_data(), used below.")
    assert "-> app.core.processing.process_data()" in "\n".join(rest)


async def test_a_name_too_far_from_any_is_not_found_with_the_closest_names(
    run_task: TaskRunner, workspace: Path
) -> None:
    done = await run_task(
        "Trace the call sequence from main() to prcess_dta() in examples/sample_app", workspace
    )
    assert done.output.status is TaskStatus.COMPLETED
    assert "Not found: prcess_dta() is not defined" in done.output.answer
    assert "process_data" in done.output.answer.split("Closest names:")[1]
    assert "->" not in done.output.answer  # no made-up chain


async def test_trace_skips_and_reports_broken_files(run_task: TaskRunner, workspace: Path) -> None:
    app = workspace / "examples" / "sample_app" / "app"
    (app / "broken.py").write_text("def oops(:\n    pass\n")
    (app / "blob.py").write_bytes(b"\x00\x01\x02\xff\xfe binary")
    done = await run_task(
        "Trace the call sequence from main() to process_data() in examples/sample_app", workspace
    )
    assert done.output.status is TaskStatus.COMPLETED
    assert "-> app.core.processing.process_data()" in done.output.answer
    assert "app/broken.py" in done.output.answer and "app/blob.py" in done.output.answer


async def test_find_where_a_function_is_defined_and_who_calls_it(
    run_task: TaskRunner, workspace: Path
) -> None:
    processing = workspace / "examples" / "sample_app" / "app" / "core" / "processing.py"
    pipeline = workspace / "examples" / "sample_app" / "app" / "pipeline.py"
    done = await run_task(
        "Find where process_data is defined and who calls it in examples/sample_app", workspace
    )
    assert done.output.status is TaskStatus.COMPLETED
    definition = line_of(processing, "def process_data")
    assert f"app/core/processing.py:{definition}" in done.output.answer
    call = line_of(pipeline, "proc.process_data(")
    assert f"app/pipeline.py:{call}" in done.output.answer


async def test_list_files(run_task: TaskRunner, workspace: Path) -> None:
    done = await run_task("List python files in examples/sample_app", workspace)
    assert done.output.status is TaskStatus.COMPLETED
    assert "examples/sample_app/app/main.py" in done.output.answer
    assert "README.md" not in done.output.answer


async def test_read_a_file(run_task: TaskRunner, workspace: Path) -> None:
    done = await run_task("Read the file notes/todos.txt", workspace)
    assert done.output.status is TaskStatus.COMPLETED
    assert "TODO: write the report" in done.output.answer


async def test_search_revises_to_ignore_case_when_nothing_matches(
    run_task: TaskRunner, workspace: Path
) -> None:
    done = await run_task('Search for "todo" in notes', workspace)
    assert done.output.status is TaskStatus.COMPLETED
    decisions = [item["decision"] for item in done.payloads("review.decided")]
    assert decisions == ["REVISE", "APPROVE"]
    assert "notes/todos.txt:2" in done.output.answer
    assert "notes/release.md:5" in done.output.answer
    second_plan = done.payloads("plan.created")[1]
    assert second_plan["steps"][0]["inputs"]["ignore_case"] is True  # type: ignore[index]


async def test_summarize_a_text_file_extractively(run_task: TaskRunner, workspace: Path) -> None:
    done = await run_task("Summarize the file notes/release.md", workspace)
    assert done.output.status is TaskStatus.COMPLETED
    text = " ".join((workspace / "notes" / "release.md").read_text().split())
    bullets = [line[4:] for line in done.output.answer.splitlines() if line.startswith("  - ")]
    assert 1 <= len(bullets) <= 3
    assert all(bullet in text for bullet in bullets)


async def test_calculate(run_task: TaskRunner, workspace: Path) -> None:
    done = await run_task("Calculate (2 + 3) * 4 ^ 2", workspace)
    assert done.output.status is TaskStatus.COMPLETED
    assert done.output.answer == "(2 + 3) * 4 ^ 2 = 80"


async def test_run_a_python_snippet(run_task: TaskRunner, workspace: Path) -> None:
    done = await run_task("Run this Python code: `print(sum(range(10)) * 2)`", workspace)
    assert done.output.status is TaskStatus.COMPLETED
    assert done.output.answer == "90"


async def test_a_task_it_cannot_do_ends_with_a_capability_report(
    run_task: TaskRunner, workspace: Path
) -> None:
    done = await run_task("Send an email to Bob about the release", workspace)
    assert done.output.status is TaskStatus.UNSUPPORTED
    (gap,) = done.output.gaps
    assert gap.missing_capabilities == ["send_email"]
    assert "trace_calls" in gap.available_tools
    assert "Cannot do this" in done.output.answer
    assert "plan.created" not in done.types()  # nothing was planned, nothing made up
    assert done.records.statuses[done.output.task_id] == "unsupported"


async def test_a_task_of_several_requests_runs_them_as_subtasks(
    run_task: TaskRunner, workspace: Path
) -> None:
    done = await run_task(
        "Calculate 6 * 7 and then read the file notes/todos.txt; list files in notes", workspace
    )
    assert done.output.status is TaskStatus.COMPLETED
    graph = done.output.graph
    assert graph is not None
    assert [s.dependencies for s in graph.subtasks] == [[], ["s1"], []]
    assert all(o.status is SubtaskStatus.COMPLETED for o in done.output.subtasks.values())
    assert "6 * 7 = 42" in done.output.answer
    assert "buy milk" in done.output.answer
    assert "notes/release.md" in done.output.answer
