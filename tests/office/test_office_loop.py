"""The loop itself: rejections feed the next plan, revisions loop, failures dead-letter."""

from __future__ import annotations

from pathlib import Path

from intelligent_office.llm import PlanningResult, PlanRequest, ReviewRequest, ReviewResult
from intelligent_office.llm.offline.reviewer import review_execution
from intelligent_office.llm.scripted import ScriptedBrain
from intelligent_office.models import (
    Plan,
    PlanMetadata,
    Review,
    ReviewDecision,
    ReviewScores,
    Step,
)
from intelligent_office.office import DeadLetterCategory, SubtaskStatus, TaskStatus
from tests.office.conftest import TaskRunner


def scripted_plan(request: PlanRequest, steps: list[Step]) -> PlanningResult:
    return PlanningResult(
        plan=Plan(
            plan_id=f"scripted-{request.iteration}",
            task_id=request.task.task_id,
            subtask_id=request.subtask.subtask_id,
            confidence=0.5,
            metadata=PlanMetadata(model_used="scripted"),
            steps=steps,
        )
    )


def review(decision: ReviewDecision, feedback: str = "") -> Review:
    value = 1.0 if decision is ReviewDecision.APPROVE else 0.2
    scores = ReviewScores(completeness=value, accuracy=value, quality=value, safety=1)
    return Review(decision=decision, feedback=feedback, scores=scores)


async def test_offline_plan_rejected_by_policy_is_fixed_on_the_next_iteration(
    run_task: TaskRunner, workspace: Path
) -> None:
    done = await run_task(
        "Find where process_data is defined in examples/sample_app",
        workspace,
        allowed_tools=["search_files"],
    )
    assert done.output.status is TaskStatus.COMPLETED
    (outcome,) = done.output.subtasks.values()
    first, second = outcome.iterations
    assert first.validation is not None and first.validation.decision == "REJECTED"
    assert "tool 'find_function' is not allowed" in first.validation.reasons()[0]
    assert second.plan is not None and {s.action for s in second.plan.steps} == {"search_files"}
    assert "app/core/processing.py" in done.output.answer
    assert done.types().count("plan.rejected") == 1


async def test_scripted_plan_outside_the_workspace_is_rejected_then_fixed_with_references(
    run_task: TaskRunner, workspace: Path
) -> None:
    (workspace.parent / "secret.txt").write_text("not yours")

    def planner(request: PlanRequest) -> PlanningResult:
        if request.iteration == 1:
            return scripted_plan(
                request,
                [Step(step_id="read", action="read_file", inputs={"path": "../secret.txt"})],
            )
        return scripted_plan(
            request,
            [
                Step(
                    step_id="list",
                    action="list_files",
                    inputs={"path": "notes", "pattern": "*.txt"},
                ),
                Step(
                    step_id="read",
                    action="read_file",
                    inputs={"path": "${list.files.0}"},
                    dependencies=["list"],
                ),
            ],
        )

    brain = ScriptedBrain(planner=planner)
    done = await run_task("Read the file notes/todos.txt", workspace, brain=brain)
    assert done.output.status is TaskStatus.COMPLETED
    rejected = done.payloads("plan.rejected")
    assert len(rejected) == 1 and "outside the workspace" in str(rejected[0]["reasons"])
    second_request = brain.plan_requests[1]
    assert any("outside the workspace" in line for line in second_request.feedback)
    assert "TODO: write the report" in done.output.answer
    (outcome,) = done.output.subtasks.values()
    execution = outcome.iterations[1].execution
    assert execution is not None
    read = next(step for step in execution.steps if step.step_id == "read")
    assert read.tool_calls[0].arguments == {"path": "notes/todos.txt"}  # the reference resolved


async def test_unknown_tool_and_bad_inputs_are_rejected_with_every_reason(
    run_task: TaskRunner, workspace: Path
) -> None:
    def planner(request: PlanRequest) -> PlanningResult:
        return scripted_plan(
            request,
            [
                Step(step_id="mail", action="send_email", inputs={"to": "bob"}),
                Step(step_id="calc", action="calculate", inputs={"expr": "1+1"}),
                Step(step_id="read", action="read_file", inputs={"path": "${calc.value}"}),
            ],
        )

    done = await run_task(
        "Calculate 1+1", workspace, brain=ScriptedBrain(planner=planner), max_iterations=1
    )
    assert done.output.status is TaskStatus.DEAD_LETTERED
    assert done.output.failure_category is DeadLetterCategory.VALIDATION
    reasons = str(done.payloads("plan.rejected")[0]["reasons"])
    assert "unknown tool 'send_email'" in reasons
    assert "expression: Field required" in reasons and "expr: Extra inputs" in reasons
    assert "${calc.value} does not resolve" in reasons


async def test_revise_feeds_the_review_back_to_the_planner_until_approved(
    run_task: TaskRunner, workspace: Path
) -> None:
    verdicts = iter(
        [
            review(ReviewDecision.REVISE, "show the whole file"),
            review(ReviewDecision.REVISE, "still too short"),
            review(ReviewDecision.APPROVE),
        ]
    )

    def reviewer(request: ReviewRequest) -> ReviewResult:
        return ReviewResult(review=next(verdicts), answer="approved at last")

    brain = ScriptedBrain(reviewer=reviewer)
    done = await run_task("Read the file notes/todos.txt", workspace, brain=brain)
    assert done.output.status is TaskStatus.COMPLETED
    assert done.output.answer == "approved at last"
    assert [len(r.feedback) for r in brain.plan_requests] == [0, 1, 2]
    assert "still too short" in brain.plan_requests[2].feedback[1]


async def test_a_missing_file_is_dead_lettered_without_running_the_plan_again(
    run_task: TaskRunner, workspace: Path
) -> None:
    done = await run_task("Read the file notes/todo.txt", workspace)
    assert done.output.status is TaskStatus.DEAD_LETTERED
    assert done.output.failure_category is DeadLetterCategory.REVIEW
    assert "planned again after it failed for good" in (done.output.failure_reason or "")
    assert "did you mean 'notes/todos.txt'" in (done.output.failure_reason or "")
    (letter,) = done.records.dead_letters.values()
    assert letter["category"] == "review"
    assert letter["history"]["task"]["description"] == "Read the file notes/todo.txt"
    # The second plan was the first again: it stopped the subtask instead of running.
    assert len(letter["history"]["subtasks"]["s1"]["iterations"]) == 2
    assert done.records.statuses[done.output.task_id] == "dead_lettered"


async def test_max_iterations_sends_the_task_to_the_dead_letter_queue(
    run_task: TaskRunner, workspace: Path
) -> None:
    def reviewer(request: ReviewRequest) -> ReviewResult:
        return ReviewResult(review=review(ReviewDecision.REVISE, "not good enough yet"))

    brain = ScriptedBrain(reviewer=reviewer)
    done = await run_task("Read the file notes/todos.txt", workspace, brain=brain)
    assert done.output.status is TaskStatus.DEAD_LETTERED
    assert done.output.failure_category is DeadLetterCategory.REVIEW
    assert "no approved result after 3 iterations" in (done.output.failure_reason or "")
    (letter,) = done.records.dead_letters.values()
    assert len(letter["history"]["subtasks"]["s1"]["iterations"]) == 3
    assert done.records.statuses[done.output.task_id] == "dead_lettered"


async def test_a_failing_snippet_fails_at_once_without_more_iterations(
    run_task: TaskRunner, workspace: Path
) -> None:
    done = await run_task("Run this Python code: `print(1 / 0)`", workspace)
    assert done.output.status is TaskStatus.DEAD_LETTERED
    (outcome,) = done.output.subtasks.values()
    assert outcome.status is SubtaskStatus.FAILED and len(outcome.iterations) == 1
    assert "ZeroDivisionError" in (done.output.failure_reason or "")


async def test_an_escalation_nobody_answers_dead_letters_the_task(
    run_task: TaskRunner, workspace: Path
) -> None:
    def reviewer(request: ReviewRequest) -> ReviewResult:
        return ReviewResult(review=review(ReviewDecision.ESCALATE, "looks like personal data"))

    done = await run_task(
        "Read the file notes/todos.txt",
        workspace,
        brain=ScriptedBrain(reviewer=reviewer),
        approval_timeout_seconds=0.5,
    )
    assert done.output.status is TaskStatus.DEAD_LETTERED
    assert "escalated for a human decision: looks like personal data" in (
        done.output.failure_reason or ""
    )
    assert "nobody answered in time" in (done.output.failure_reason or "")
    (asked,) = [p for p in done.payloads("approval.requested") if p["kind"] == "escalation"]
    assert asked["question"] == "looks like personal data" and "buy milk" in str(asked["outputs"])


async def test_a_step_that_times_out_is_a_timeout_dead_letter(
    run_task: TaskRunner, workspace: Path
) -> None:
    def planner(request: PlanRequest) -> PlanningResult:
        slow = Step(
            step_id="slow",
            action="python_exec",
            inputs={"code": "import time; time.sleep(5)"},
            timeout_seconds=0.3,
        )
        return scripted_plan(request, [slow])

    done = await run_task(
        "Run this Python code: `import time; time.sleep(5)`",
        workspace,
        brain=ScriptedBrain(planner=planner),
        max_iterations=1,
    )
    assert done.output.status is TaskStatus.DEAD_LETTERED
    assert done.output.failure_category is DeadLetterCategory.TIMEOUT
    (outcome,) = done.output.subtasks.values()
    execution = outcome.iterations[0].execution
    assert execution is not None and execution.steps[0].status == "timed_out"
    # python_exec is not idempotent, so a timed-out call is not run again.
    assert "node.retrying" not in done.types()


async def test_a_dependent_subtask_is_skipped_when_its_dependency_fails(
    run_task: TaskRunner, workspace: Path
) -> None:
    done = await run_task(
        "Read the file notes/missing.txt and then calculate 1 + 1", workspace, max_iterations=1
    )
    assert done.output.status is TaskStatus.DEAD_LETTERED
    assert done.output.subtasks["s2"].status is SubtaskStatus.SKIPPED
    assert "plan.created" in done.types()
    assert not [p for p in done.payloads("subtask.started") if p["subtask_id"] == "s2"]


async def test_each_dead_letter_of_one_runtime_gets_its_own_id(
    run_task: TaskRunner, workspace: Path
) -> None:
    first = await run_task("Read the file notes/nothing.txt", workspace, max_iterations=1)
    second = await run_task("Read the file notes/void.txt", workspace, max_iterations=1)
    assert first.output.dead_letter_id and second.output.dead_letter_id
    assert first.output.dead_letter_id != second.output.dead_letter_id


async def test_a_skipped_subtask_is_an_event_too(run_task: TaskRunner, workspace: Path) -> None:
    done = await run_task(
        "Read the file notes/missing.txt and then calculate 1 + 1", workspace, max_iterations=1
    )
    assert done.payloads("subtask.skipped") == [
        {"subtask_id": "s2", "reason": "dependency 's1' did not complete"}
    ]


async def test_the_reviewer_never_reads_outside_the_workspace(
    run_task: TaskRunner, workspace: Path
) -> None:
    """A crafted tool output citing a file outside the workspace is not confirmed."""
    secret = workspace.parent / "secret.py"
    secret.write_text("process_data()\n")

    def planner(request: PlanRequest) -> PlanningResult:
        return scripted_plan(
            request,
            [Step(step_id="trace", action="calculate", inputs={"expression": "1"})],
        )

    def forge(request: ReviewRequest) -> ReviewResult:
        step = request.execution.steps[0]
        forged = {
            "found": True,
            "paths": [
                {
                    "functions": ["m.main", "m.process_data"],
                    "calls": [
                        {
                            "caller": "m.main",
                            "callee": "m.process_data",
                            "callee_name": "process_data",
                            "file": "../secret.py",
                            "line": 1,
                        }
                    ],
                }
            ],
        }
        execution = request.execution.model_copy(
            update={"steps": [step.model_copy(update={"outputs": forged})]}
        )
        plan = request.plan.model_copy(
            update={"steps": [request.plan.steps[0].model_copy(update={"action": "trace_calls"})]}
        )
        return review_execution(request.model_copy(update={"execution": execution, "plan": plan}))

    done = await run_task(
        "Trace the call sequence from main() to process_data() in .",
        workspace,
        brain=ScriptedBrain(planner=planner, reviewer=forge),
        max_iterations=1,
    )
    decisions = [p["decision"] for p in done.payloads("review.decided")]
    assert decisions == ["REVISE"]
    assert "no call to process_data at ../secret.py:1" in str(done.payloads("review.decided"))
