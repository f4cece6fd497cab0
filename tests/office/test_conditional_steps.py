"""Conditional steps and for_each loops, planned by a scripted planner, on the local runtime."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from intelligent_office.llm import PlanningResult, PlanRequest
from intelligent_office.llm.scripted import ScriptedBrain
from intelligent_office.models import Step
from intelligent_office.office import TaskStatus
from intelligent_office.store import Store
from tests.office.conditional_plans import BRANCHING_STEPS, approve_with_outputs
from tests.office.conftest import TaskRunner
from tests.office.flow_runner import FlowRunner
from tests.office.test_office_loop import scripted_plan


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(f"sqlite:///{tmp_path / 'runtime.db'}")
    yield opened
    opened.close()


async def test_false_branches_skip_with_their_dependants_and_loops_run_per_item(
    store: Store, workspace: Path
) -> None:
    def planner(request: PlanRequest) -> PlanningResult:
        return scripted_plan(request, BRANCHING_STEPS)

    brain = ScriptedBrain(planner=planner, reviewer=approve_with_outputs)
    done = await FlowRunner(store, workspace, brain=brain).run("Read the notes")
    assert done.output.status is TaskStatus.COMPLETED, done.output.failure_reason
    (outcome,) = done.output.subtasks.values()
    execution = outcome.iterations[0].execution
    assert execution is not None and execution.status == "succeeded"
    steps = {step.step_id: step for step in execution.steps}
    assert {sid: s.status.value for sid, s in steps.items()} == {
        "list": "succeeded",
        "read_each": "succeeded",
        "many": "skipped",
        "after_many": "skipped",
        "few": "succeeded",
        "join": "succeeded",
    }
    assert "condition is false: len(steps.list.output.files) > 5" in steps["many"].errors
    assert steps["after_many"].errors == ["dependency 'many' was skipped"]
    # One read per listed file, each with its own arguments, results in item order.
    (call,) = steps["read_each"].tool_calls
    assert call.arguments == {
        "for_each": [{"path": "notes/release.md"}, {"path": "notes/todos.txt"}]
    }
    assert isinstance(call.result, list) and "TODO: write the report" in str(call.result[1])
    assert steps["join"].outputs["value"] == 60
    skipped = [p["node_id"] for p in done.payloads("node.skipped")]
    assert skipped == ["many", "after_many"]
    planned = done.payloads("plan.created")[0]["steps"]
    assert isinstance(planned, list)
    assert {"step_id": "join", "if_dependency_skipped": "run"}.items() <= dict(planned[5]).items()


async def test_a_for_each_over_more_items_than_allowed_fails_the_step_clearly(
    store: Store, workspace: Path
) -> None:
    def planner(request: PlanRequest) -> PlanningResult:
        return scripted_plan(request, BRANCHING_STEPS[:2])

    brain = ScriptedBrain(planner=planner, reviewer=approve_with_outputs)
    done = await FlowRunner(store, workspace, brain=brain).run(
        "Read the notes", max_for_each_items=1, max_iterations=1
    )
    (outcome,) = done.output.subtasks.values()
    execution = outcome.iterations[0].execution
    assert execution is not None
    read = next(step for step in execution.steps if step.step_id == "read_each")
    assert read.status.value == "failed"
    assert "gave 2 items, more than the limit of 1" in read.errors[0]


async def test_a_condition_outside_the_language_is_rejected_at_plan_time(
    store: Store, workspace: Path
) -> None:
    def planner(request: PlanRequest) -> PlanningResult:
        steps = [
            BRANCHING_STEPS[0],
            Step(
                step_id="bad",
                action="calculate",
                inputs={"expression": "1"},
                dependencies=["list"],
                when="__import__('os').system('true')",
            ),
            Step(
                step_id="stranger",
                action="calculate",
                inputs={"expression": "1"},
                when="steps.list.status == 'succeeded'",
            ),
        ]
        return scripted_plan(request, steps)

    brain = ScriptedBrain(planner=planner, reviewer=approve_with_outputs)
    done = await FlowRunner(store, workspace, brain=brain).run("Read the notes", max_iterations=1)
    assert done.output.status is TaskStatus.DEAD_LETTERED
    (rejected,) = done.payloads("plan.rejected")
    reasons = " ".join(str(r) for r in rejected["reasons"])  # type: ignore[union-attr]
    assert "only len(...) may be called, not __import__" in reasons
    assert "reads steps.list, which is not one of this step's dependencies" in reasons


async def test_branches_run_alike_on_every_runtime(run_task: TaskRunner, workspace: Path) -> None:
    def planner(request: PlanRequest) -> PlanningResult:
        return scripted_plan(request, BRANCHING_STEPS)

    brain = ScriptedBrain(planner=planner, reviewer=approve_with_outputs)
    done = await run_task("Read the notes", workspace, brain=brain)
    assert done.output.status is TaskStatus.COMPLETED
    (outcome,) = done.output.subtasks.values()
    execution = outcome.iterations[0].execution
    assert execution is not None
    skipped = [step.step_id for step in execution.steps if step.status.value == "skipped"]
    assert skipped == ["many", "after_many"]
