"""A scripted plan with a false branch, a join and a loop, and a reviewer that approves."""

from __future__ import annotations

from intelligent_office.llm import ReviewRequest, ReviewResult
from intelligent_office.models import Review, ReviewDecision, ReviewScores, Step


def approve_with_outputs(request: ReviewRequest) -> ReviewResult:
    outputs = {step.step_id: step.status.value for step in request.execution.steps}
    scores = ReviewScores(completeness=1, accuracy=1, quality=1, safety=1)
    return ReviewResult(
        review=Review(decision=ReviewDecision.APPROVE, scores=scores), answer=str(outputs)
    )


BRANCHING_STEPS = [
    Step(step_id="list", action="list_files", inputs={"path": "notes", "pattern": "*"}),
    Step(
        step_id="read_each",
        action="read_file",
        inputs={"path": "${item}"},
        dependencies=["list"],
        for_each="steps.list.output.files",
    ),
    Step(
        step_id="many",
        action="calculate",
        inputs={"expression": "1+1"},
        dependencies=["list"],
        when="len(steps.list.output.files) > 5",
    ),
    Step(
        step_id="after_many",
        action="calculate",
        inputs={"expression": "2+2"},
        dependencies=["many"],
    ),
    Step(
        step_id="few",
        action="calculate",
        inputs={"expression": "3+3"},
        dependencies=["list"],
        when="len(steps.list.output.files) <= 5 and steps.list.status == 'succeeded'",
    ),
    Step(
        step_id="join",
        action="calculate",
        inputs={"expression": "${few.value} * 10"},
        dependencies=["many", "few"],
        if_dependency_skipped="run",
    ),
]
