"""Stalled steps and loops on the local runtime: a real tool that hangs, small timeouts.

The `hang` tool sleeps and swallows the cancellation its own timeout sends, the way a
badly behaved tool or a client stuck in clean-up does: only the worker's stall watch
gets the run going again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from intelligent_office.llm import PlanningResult, PlanRequest, ReviewRequest, ReviewResult
from intelligent_office.llm.scripted import ScriptedBrain
from intelligent_office.models import ReviewDecision, Step
from intelligent_office.office import DeadLetterCategory, TaskStatus
from intelligent_office.store import Store
from intelligent_office.tools.base import ToolContext, ToolRegistry, tool
from intelligent_office.tools.builtin import builtin_tools
from tests.office.flow_runner import FlowRunner
from tests.office.test_office_loop import review, scripted_plan

HANGS: list[str] = []


@tool()
async def hang(ctx: ToolContext, seconds: float = 30.0) -> dict[str, float]:
    """Sleep, ignoring cancellation, like a tool stuck in its clean-up.

    Args:
        seconds: how long to hang.
    """
    HANGS.append(ctx.idempotency_key)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        try:
            await asyncio.sleep(deadline - loop.time())
        except asyncio.CancelledError:
            continue  # refuses to stop
    return {"slept": seconds}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(f"sqlite:///{tmp_path / 'runtime.db'}")
    yield opened
    opened.close()


def tools_with_hang() -> ToolRegistry:
    registry = builtin_tools()
    registry.register(hang)
    return registry


HANGING = Step(step_id="wait", action="hang", inputs={"seconds": 4}, timeout_seconds=0.2)
READ = Step(step_id="read", action="read_file", inputs={"path": "notes/todos.txt"})
WATCH = {"stall_grace_seconds": 0.3, "stall_default_timeout_seconds": 30.0}


async def test_a_stalled_step_is_cancelled_retried_then_replanned(
    store: Store, workspace: Path
) -> None:
    HANGS.clear()

    def planner(request: PlanRequest) -> PlanningResult:
        if any("stalled" in line for line in request.feedback):
            return scripted_plan(request, [READ])
        return scripted_plan(request, [HANGING])

    brain = ScriptedBrain(planner=planner)
    runner = FlowRunner(
        store, workspace, brain=brain, tools=tools_with_hang(), worker_options=WATCH
    )
    done = await asyncio.wait_for(runner.run("Read the file notes/todos.txt"), 60)
    assert done.output.status is TaskStatus.COMPLETED, done.output.failure_reason
    assert "TODO: write the report" in done.output.answer
    stalled = done.payloads("run.stalled")
    # hang is idempotent: the step gets all three attempts of its retry policy.
    assert [p["key"] for p in stalled] == [
        f"subtask/s1/iter/1/node/wait/attempt/{n}" for n in (1, 2, 3)
    ]
    assert all(float(p["limit_seconds"]) == pytest.approx(0.5) for p in stalled)  # type: ignore[arg-type]
    retrying = done.payloads("node.retrying")
    assert len(retrying) == 2 and str(retrying[0]["error"]).startswith("Stalled: no progress")
    (replanning,) = done.payloads("stall.replanning")
    assert "step wait (hang) stalled" in str(replanning["reason"])
    assert "stall.escalated" not in done.types()
    assert len(HANGS) == 3
    # Each stage is an event, in this order.
    stages = [t for t in done.types() if t in {"run.stalled", "stall.replanning", "task.completed"}]
    assert stages == ["run.stalled"] * 3 + ["stall.replanning", "task.completed"]
    # The abandoned attempt is journaled as a retryable failure, replayed after a restart.
    entry = store.journal.load(store.runs.recent(task_id=done.output.task_id)[0].run_id)[
        "subtask/s1/iter/1/node/wait/attempt/1"
    ]
    assert entry.ok is False and entry.error_type == "Stalled" and entry.retryable


async def test_a_step_that_stalls_again_after_the_replan_escalates(
    store: Store, workspace: Path
) -> None:
    def planner(request: PlanRequest) -> PlanningResult:
        return scripted_plan(
            request, [HANGING.model_copy(update={"step_id": f"w{request.iteration}"})]
        )

    brain = ScriptedBrain(planner=planner)
    runner = FlowRunner(
        store, workspace, brain=brain, tools=tools_with_hang(), worker_options=WATCH
    )
    done = await asyncio.wait_for(
        runner.run("Wait for it", max_iterations=5, approval_timeout_seconds=1), 60
    )
    assert done.output.status is TaskStatus.DEAD_LETTERED
    assert done.output.failure_category is DeadLetterCategory.STALLED
    assert "escalated after a re-plan: step w2 (hang) stalled" in str(done.output.failure_reason)
    assert "nobody answered in time" in str(done.output.failure_reason)
    assert done.types().count("stall.replanning") == 1
    assert done.types().count("stall.escalated") == 1
    # A person was asked (an escalation) before the task was given up.
    (asked,) = done.payloads("approval.requested")
    assert asked["kind"] == "escalation" and "try again" in str(asked["subject"])
    (letter,) = done.records.dead_letters.values()
    assert letter["category"] == "stalled"
    (outcome,) = done.output.subtasks.values()
    assert len(outcome.iterations) == 2  # not five: escalated after one alternative plan


async def test_an_agent_that_hangs_is_abandoned_too(store: Store, workspace: Path) -> None:
    class HangingPlanner(ScriptedBrain):
        async def plan(self, request: PlanRequest) -> PlanningResult:
            await hang.fn(ToolContext(workspace=workspace, idempotency_key="plan"), seconds=4)
            raise AssertionError("unreachable")

    brain = HangingPlanner()
    options = {"stall_grace_seconds": 0.2, "stall_default_timeout_seconds": 0.2}
    runner = FlowRunner(store, workspace, brain=brain, worker_options=options)
    done = await asyncio.wait_for(runner.run("Read the file notes/todos.txt"), 60)
    assert done.output.status is TaskStatus.DEAD_LETTERED
    assert done.output.failure_category is DeadLetterCategory.STALLED
    keys = [p["key"] for p in done.payloads("run.stalled")]
    assert keys == [f"subtask/s1/iter/1/plan/attempt/{n}" for n in (1, 2, 3)]


async def test_the_same_plan_over_and_over_is_stopped_as_a_loop(
    store: Store, workspace: Path
) -> None:
    def reviewer(request: ReviewRequest) -> ReviewResult:
        return ReviewResult(review=review(ReviewDecision.REVISE, "try again"))

    def planner(request: PlanRequest) -> PlanningResult:
        return scripted_plan(request, [READ])

    brain = ScriptedBrain(planner=planner, reviewer=reviewer)
    done = await FlowRunner(store, workspace, brain=brain).run(
        "Read the file notes/todos.txt", max_iterations=10, loop_repeats=3
    )
    assert done.output.status is TaskStatus.DEAD_LETTERED
    assert done.output.failure_category is DeadLetterCategory.LOOP
    (detected,) = done.payloads("loop.detected")
    assert detected["iteration"] == 3
    assert "the planner proposed the same plan 3 times" in str(detected["reason"])
    assert done.types().count("execution.finished") == 2  # the third was never run


async def test_the_same_tool_call_in_different_plans_is_stopped_as_a_loop(
    store: Store, workspace: Path
) -> None:
    def reviewer(request: ReviewRequest) -> ReviewResult:
        return ReviewResult(review=review(ReviewDecision.REVISE, "try again"))

    def planner(request: PlanRequest) -> PlanningResult:
        extra = Step(
            step_id="sum", action="calculate", inputs={"expression": f"{request.iteration}+1"}
        )
        return scripted_plan(request, [READ, extra])

    brain = ScriptedBrain(planner=planner, reviewer=reviewer)
    done = await FlowRunner(store, workspace, brain=brain).run(
        "Read the file notes/todos.txt", max_iterations=10, loop_repeats=3
    )
    assert done.output.failure_category is DeadLetterCategory.LOOP
    assert "loop: read_file was called with the same arguments 3 times" in str(
        done.output.failure_reason
    )
    assert done.types().count("review.decided") == 3
