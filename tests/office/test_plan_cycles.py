"""A plan or a decomposition whose parts wait for each other in a cycle is refused by name."""

from __future__ import annotations

from pathlib import Path

from intelligent_office.llm import PlanningResult, PlanRequest
from intelligent_office.llm.scripted import ScriptedBrain
from intelligent_office.models import Step, Subtask, SubtaskGraph, Task
from intelligent_office.office import DeadLetterCategory, TaskStatus
from tests.office.conftest import TaskRunner
from tests.office.test_office_loop import scripted_plan


def _cyclic(request: PlanRequest) -> PlanningResult:
    return scripted_plan(
        request,
        [
            Step(step_id="a", action="calculate", inputs={"expression": "1+1"}, dependencies=["c"]),
            Step(step_id="b", action="calculate", inputs={"expression": "2+2"}, dependencies=["a"]),
            Step(step_id="c", action="calculate", inputs={"expression": "6*7"}, dependencies=["b"]),
        ],
    )


async def test_a_cyclic_plan_is_rejected_naming_the_cycle_and_the_planner_hears_why(
    run_task: TaskRunner, workspace: Path
) -> None:
    def planner(request: PlanRequest) -> PlanningResult:
        if request.iteration == 1:
            return _cyclic(request)
        return scripted_plan(
            request, [Step(step_id="calc", action="calculate", inputs={"expression": "6*7"})]
        )

    brain = ScriptedBrain(planner=planner)
    done = await run_task("Calculate 6 * 7", workspace, brain=brain)
    assert done.output.status is TaskStatus.COMPLETED
    assert "42" in done.output.answer
    (rejected,) = done.payloads("plan.rejected")
    assert "cycle: a -> b -> c -> a" in str(rejected["reasons"])
    assert any("cycle: a -> b -> c -> a" in line for line in brain.plan_requests[1].feedback)
    (outcome,) = done.output.subtasks.values()
    first = outcome.iterations[0]
    assert first.execution is None  # nothing of the cyclic plan ran


async def test_a_planner_that_keeps_planning_a_cycle_ends_in_a_validation_dead_letter(
    run_task: TaskRunner, workspace: Path
) -> None:
    done = await run_task(
        "Calculate 6 * 7", workspace, brain=ScriptedBrain(planner=_cyclic), max_iterations=2
    )
    assert done.output.status is TaskStatus.DEAD_LETTERED
    assert done.output.dead_letter_id is not None
    assert done.output.failure_category is DeadLetterCategory.VALIDATION
    assert "cycle: a -> b -> c -> a" in (done.output.failure_reason or "")
    assert "dead_letter.created" in done.types()


async def test_a_cyclic_decomposition_is_dead_lettered_instead_of_waiting_forever(
    run_task: TaskRunner, workspace: Path
) -> None:
    def decomposer(task: Task) -> SubtaskGraph:
        return SubtaskGraph(
            task_id=task.task_id,
            subtasks=[
                Subtask(subtask_id="s1", description="Calculate 1+1", dependencies=["s2"]),
                Subtask(subtask_id="s2", description="Calculate 2+2", dependencies=["s1"]),
            ],
        )

    done = await run_task(
        "Calculate 1+1 then 2+2", workspace, brain=ScriptedBrain(decomposer=decomposer)
    )
    assert done.output.status is TaskStatus.DEAD_LETTERED
    assert done.output.failure_category is DeadLetterCategory.VALIDATION
    assert "cycle: s1 -> s2 -> s1" in (done.output.failure_reason or "")
    assert "subtask.started" not in done.types()
