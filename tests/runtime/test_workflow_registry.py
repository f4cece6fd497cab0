"""A workflow registered by name with its definition loaded later: loaded once, when a run
of it first needs it, and runnable on the local runtime like any other."""

from __future__ import annotations

from typing import Any

import pytest

from intelligent_office.errors import UserError
from intelligent_office.runtime import LocalWorker, WorkflowDef, WorkflowRegistry
from intelligent_office.store import RunStatus, Store
from tests.runtime.workflows import Steps, sleeper, steps


def test_a_deferred_workflow_loads_once_when_first_asked_for() -> None:
    loads: list[str] = []

    def load() -> WorkflowDef[Any, Any]:
        loads.append("test.steps")
        return steps

    registry = WorkflowRegistry([sleeper])
    registry.defer("test.steps", load)
    assert registry.names() == ["test.sleep", "test.steps"]
    assert loads == []
    assert registry.get("test.sleep") is sleeper
    assert loads == []  # another workflow's run loads nothing
    assert registry.get("test.steps") is steps
    assert registry.get("test.steps") is steps
    assert loads == ["test.steps"]
    assert registry.names() == ["test.sleep", "test.steps"]


def test_a_name_is_registered_once_deferred_or_not() -> None:
    registry = WorkflowRegistry([steps])
    with pytest.raises(UserError, match="'test.steps' is registered twice"):
        registry.defer("test.steps", lambda: steps)
    registry.defer("test.sleep", lambda: sleeper)
    with pytest.raises(UserError, match="'test.sleep' is registered twice"):
        registry.register(sleeper)


def test_a_deferred_definition_under_another_name_is_refused() -> None:
    registry = WorkflowRegistry()
    registry.defer("test.steps", lambda: sleeper)
    with pytest.raises(TypeError, match="'test.steps' loaded a definition named 'test.sleep'"):
        registry.get("test.steps")


def test_an_unknown_workflow_names_the_deferred_ones_too() -> None:
    registry = WorkflowRegistry([sleeper])
    registry.defer("test.steps", lambda: steps)
    with pytest.raises(UserError, match=r"registered: test\.sleep, test\.steps"):
        registry.get("nope")


async def test_a_deferred_workflow_runs_and_resumes_on_the_local_runtime(store: Store) -> None:
    registry = WorkflowRegistry()
    registry.defer("test.steps", lambda: steps)
    task, _ = store.tasks.create(task_id="deferred-task", user_id="u", description="d")
    worker = LocalWorker(store, registry)
    run = worker.submit("test.steps", Steps(count=2), task_id=task.task_id)
    finished = await worker.run(run.run_id)
    assert finished.status is RunStatus.COMPLETED
    assert finished.result == {"labels": [f"{run.run_id}:0", f"{run.run_id}:1"]}

    # A new process's registry, the definition not loaded yet: the run replays its journal.
    store.runs.requeue(run.run_id)
    fresh = WorkflowRegistry()
    fresh.defer("test.steps", lambda: steps)
    again = await LocalWorker(store, fresh).run(run.run_id)
    assert again.result == finished.result
