"""A plan that failed for good is not run again: the loop changes the plan or stops at once."""

from __future__ import annotations

from pathlib import Path

from intelligent_office.llm import PlanningResult, PlanRequest
from intelligent_office.llm.scripted import ScriptedBrain
from intelligent_office.models import Step
from intelligent_office.office import TaskStatus
from tests.office.conftest import TaskRunner
from tests.office.test_office_loop import scripted_plan


async def test_a_root_that_does_not_exist_stops_at_the_second_plan_with_the_reason(
    run_task: TaskRunner, workspace: Path
) -> None:
    done = await run_task("List the python files in nosuchdir", workspace, max_iterations=5)
    assert done.output.status is TaskStatus.DEAD_LETTERED
    (outcome,) = done.output.subtasks.values()
    assert len(outcome.iterations) == 2
    assert outcome.iterations[0].execution is not None
    assert outcome.iterations[1].execution is None  # planned again, not run again
    assert "nosuchdir not found" in (done.output.failure_reason or "")
    assert "failed for good" in (done.output.failure_reason or "")
    assert len(done.payloads("plan.repeated")) == 1


async def test_a_missing_file_planned_over_and_over_runs_once(
    run_task: TaskRunner, workspace: Path
) -> None:
    def planner(request: PlanRequest) -> PlanningResult:
        return scripted_plan(
            request, [Step(step_id="read", action="read_file", inputs={"path": "notes/gone.txt"})]
        )

    brain = ScriptedBrain(planner=planner)
    done = await run_task("Read the file notes/gone.txt", workspace, brain=brain, max_iterations=4)
    assert done.output.status is TaskStatus.DEAD_LETTERED
    executed = [i for i in done.output.subtasks["s1"].iterations if i.execution is not None]
    assert len(executed) == 1
    assert len(brain.plan_requests) == 2
    assert any("gone.txt" in line for line in brain.plan_requests[1].feedback)


async def test_a_changed_plan_after_a_permanent_error_runs(
    run_task: TaskRunner, workspace: Path
) -> None:
    def planner(request: PlanRequest) -> PlanningResult:
        path = "notes/gone.txt" if request.iteration == 1 else "notes/todos.txt"
        return scripted_plan(
            request, [Step(step_id="read", action="read_file", inputs={"path": path})]
        )

    done = await run_task(
        "Read the file notes/todos.txt", workspace, brain=ScriptedBrain(planner=planner)
    )
    assert done.output.status is TaskStatus.COMPLETED
    assert "TODO: write the report" in done.output.answer
    assert done.payloads("plan.repeated") == []


async def test_full_width_digits_are_numbers(run_task: TaskRunner, workspace: Path) -> None:
    done = await run_task("calculate １２ * 3", workspace)
    assert done.output.status is TaskStatus.COMPLETED
    assert "= 36" in done.output.answer
    assert len(done.output.subtasks["s1"].iterations) == 1
