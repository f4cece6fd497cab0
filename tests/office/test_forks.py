"""Forking a stored Office run from one of its steps, on SQLite and on PostgreSQL.

The steps before the fork point are replayed from the copied journal: the tool's own
call counter proves they do not run again. The original run, its task and its events
are left as they were.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from intelligent_office.errors import UserError
from intelligent_office.front_door import Office
from intelligent_office.office import OfficeOutput, TaskStatus
from intelligent_office.run_forks import ForkRequest, fork_run, run_steps
from intelligent_office.settings import Settings, load_settings
from intelligent_office.store import RunRecord, RunStatus, Store
from intelligent_office.task_input import new_task
from intelligent_office.tools.base import Tool, ToolContext

TWO_SUMS = "calculate 2+3 and then calculate 4*5"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(None, home=tmp_path / "home", max_iterations=3)


@pytest.fixture
def calls() -> Counter[str]:
    return Counter()


@pytest.fixture
def service(settings: Settings, store: Store, calls: Counter[str]) -> Office:
    service = Office(settings, store)
    real = service.tools.get("calculate")

    def counted(context: ToolContext, **arguments: Any) -> Any:
        calls[str(arguments["expression"])] += 1
        return real.fn(context, **arguments)

    service.tools.unregister("calculate")
    service.tools.register(Tool(spec=real.spec, arguments_model=real.arguments_model, fn=counted))
    return service


def output_of(run: RunRecord) -> OfficeOutput:
    assert run.status is RunStatus.COMPLETED, run.error
    return OfficeOutput.model_validate(run.result)


def tool_steps(store: Store, run_id: str) -> list[str]:
    return [step.key for step in run_steps(store, run_id) if step.activity == "office.run_step"]


async def test_a_fork_at_the_second_tool_call_replays_the_first_and_uses_the_edit(
    service: Office, store: Store, workspace: Path, calls: Counter[str]
) -> None:
    worker = service.worker()
    task, run = service.submit(worker, new_task(TWO_SUMS, workspace=workspace))
    original = output_of(await worker.run(run.run_id))
    assert "= 20" in original.answer
    assert calls == Counter({"2+3": 1, "4*5": 1})
    before = store.events.read(task.task_id, limit=100_000)
    second = tool_steps(store, run.run_id)[1]

    fork = fork_run(
        store,
        worker,
        ForkRequest(run_id=run.run_id, at=second, input_patch={"inputs": {"expression": "6*7"}}),
    )
    forked = output_of(await worker.run(fork.run.run_id))

    assert calls == Counter({"2+3": 1, "4*5": 1, "6*7": 1}), "the first call is replayed"
    assert "6*7 = 42" in forked.answer
    assert fork.step == second and fork.parent_run_id == run.run_id
    new_task_record = store.tasks.get(fork.task.task_id)
    assert new_task_record is not None
    assert new_task_record.body["context"]["forked_from"] == {
        "task_id": task.task_id,
        "run_id": run.run_id,
        "step": second,
    }
    assert store.events.read(fork.task.task_id, limit=10)[0].type == "task.forked"
    # The original is unchanged: its run, its answer and its events.
    again = store.runs.get(run.run_id)
    assert again is not None and OfficeOutput.model_validate(again.result).answer == original.answer
    assert store.events.read(task.task_id, limit=100_000) == before


async def test_a_dead_lettered_task_forked_at_its_last_plan_with_a_new_text_completes(
    service: Office, store: Store, workspace: Path
) -> None:
    worker = service.worker()
    _, run = service.submit(
        worker, new_task("read the file notes/missing.txt", workspace=workspace)
    )
    failed = OfficeOutput.model_validate((await worker.run(run.run_id)).result)
    assert failed.status is TaskStatus.DEAD_LETTERED
    plans = [s.key for s in run_steps(store, run.run_id) if s.activity == "office.plan"]

    fork = fork_run(
        store,
        worker,
        ForkRequest(run_id=run.run_id, at=plans[-1], description="read the file notes/todos.txt"),
    )
    forked = output_of(await worker.run(fork.run.run_id))

    assert forked.status is TaskStatus.COMPLETED, forked.answer
    assert "buy milk" in forked.answer
    assert fork.task.description == "read the file notes/todos.txt"


async def test_forking_refuses_an_unknown_step_and_another_tenants_run(
    service: Office, store: Store, workspace: Path
) -> None:
    worker = service.worker()
    _, run = service.submit(worker, new_task("calculate 1+1", workspace=workspace))
    await worker.run(run.run_id)

    with pytest.raises(UserError, match="no step 'nowhere'"):
        fork_run(store, worker, ForkRequest(run_id=run.run_id, at="nowhere"))
    with pytest.raises(UserError, match="no step '999'"):
        fork_run(store, worker, ForkRequest(run_id=run.run_id, at="999"))
    with pytest.raises(UserError, match="no run"):
        fork_run(store, worker, ForkRequest(run_id=run.run_id, at="1"), user_id="mallory")
    assert len(store.runs.recent(limit=10)) == 1, "nothing was queued"
