"""A task's deadline and max_duration hold: past them the task stops with a timeout letter."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from intelligent_office.activities import OfficeActivities, StoreRecords
from intelligent_office.llm import Brain, OfflineBrain, PlanningResult, PlanRequest
from intelligent_office.llm.scripted import ScriptedBrain
from intelligent_office.models import Step, Task, TaskConstraints
from intelligent_office.office import (
    OFFICE_WORKFLOW,
    DeadLetterCategory,
    OfficeInput,
    OfficeOutput,
    TaskStatus,
    office_workflow,
)
from intelligent_office.runtime.worker import LocalWorker
from intelligent_office.runtime.workflow import WorkflowRegistry
from intelligent_office.store import RunStatus, Store
from intelligent_office.tools.builtin import builtin_tools
from tests.office.test_office_loop import scripted_plan


async def _run(
    store: Store,
    workspace: Path,
    description: str,
    *,
    brain: Brain | None = None,
    deadline: datetime | None = None,
    max_duration: float | None = None,
) -> tuple[OfficeOutput, list[str]]:
    agents = OfficeActivities(
        brain=brain or OfflineBrain(), tools=builtin_tools(), records=StoreRecords(store)
    )
    task = Task(
        description=description,
        deadline=deadline,
        constraints=TaskConstraints(max_duration=max_duration),
        context={"workspace": str(workspace)},
    )
    store.tasks.create(
        task_id=task.task_id,
        user_id="tests",
        description=description,
        body=task.model_dump(mode="json"),
    )
    worker = LocalWorker(store, WorkflowRegistry([office_workflow(agents)]))
    run = worker.submit(OFFICE_WORKFLOW, OfficeInput(task=task), task_id=task.task_id)
    finished = await worker.run(run.run_id)
    assert finished.status is RunStatus.COMPLETED, finished.error
    events = [event.type for event in store.events.read(task.task_id, limit=10_000)]
    return OfficeOutput.model_validate(finished.result), events


def _sleeping_plan(request: PlanRequest) -> PlanningResult:
    # Estimated at 1 s, so the validator lets it run; it would take 60 s.
    plan = scripted_plan(
        request,
        [
            Step(
                step_id="wait",
                action="python_exec",
                inputs={"code": "import time\ntime.sleep(60)\nprint('done')"},
                timeout_seconds=120,
            )
        ],
    )
    assert plan.plan is not None
    plan.plan.metadata.estimated_duration_seconds = 1
    return plan


async def test_a_deadline_already_passed_stops_the_task_before_it_begins(
    tmp_path: Path, workspace: Path
) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'office.db'}")
    past = datetime.now(UTC) - timedelta(minutes=1)
    output, events = await _run(store, workspace, "Calculate 6 * 7", deadline=past)
    assert output.status is TaskStatus.DEAD_LETTERED
    assert output.failure_category is DeadLetterCategory.TIMEOUT
    assert "deadline" in (output.failure_reason or "")
    assert "task.decomposed" not in events
    letter = store.dead_letters.get(output.dead_letter_id or "")
    assert letter is not None and letter.category == "timeout"
    store.close()


async def test_max_duration_cuts_a_long_step_short_and_dead_letters_the_task(
    tmp_path: Path, workspace: Path
) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'office.db'}")
    started = time.monotonic()
    output, _ = await _run(
        store,
        workspace,
        "Wait a minute",
        brain=ScriptedBrain(planner=_sleeping_plan),
        max_duration=3,
    )
    assert time.monotonic() - started < 30  # not 60 s of sleep, nor three tries of it
    assert output.status is TaskStatus.DEAD_LETTERED
    assert output.failure_category is DeadLetterCategory.TIMEOUT
    assert "max_duration of 3 s" in (output.failure_reason or "")
    store.close()


async def test_a_deadline_during_the_run_is_enforced(tmp_path: Path, workspace: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'office.db'}")
    soon = datetime.now(UTC) + timedelta(seconds=3)
    output, _ = await _run(
        store,
        workspace,
        "Wait a minute",
        brain=ScriptedBrain(planner=_sleeping_plan),
        deadline=soon,
    )
    assert output.status is TaskStatus.DEAD_LETTERED
    assert output.failure_category is DeadLetterCategory.TIMEOUT
    assert "deadline" in (output.failure_reason or "")
    store.close()


async def test_a_task_within_its_limits_completes(tmp_path: Path, workspace: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'office.db'}")
    later = datetime.now(UTC) + timedelta(hours=1)
    output, _ = await _run(store, workspace, "Calculate 6 * 7", deadline=later, max_duration=600)
    assert output.status is TaskStatus.COMPLETED
    assert "42" in output.answer
    store.close()
