"""Fixtures for the Office loop: a workspace holding the sample app and a few text files,
and `run_task`, which runs one task with the real built-in tools on every runtime
(local and Temporal): the end-to-end tests that take it run once per runtime."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest

from intelligent_office.activities import MemoryRecords, OfficeActivities
from intelligent_office.llm import Brain, OfflineBrain
from intelligent_office.models import Task, TaskConstraints
from intelligent_office.office import OFFICE_WORKFLOW, OfficeInput, OfficeOutput, office_workflow
from intelligent_office.runtime.worker import LocalWorker
from intelligent_office.runtime.workflow import WorkflowRegistry
from intelligent_office.store import RunStatus, Store
from intelligent_office.tools.builtin import builtin_tools

REPO = Path(__file__).resolve().parents[2]

NOTES = """# Release notes

The new importer reads orders from CSV files and skips rows without an amount.
Customers are grouped by their normalized name, so "ACME" and "acme " count as one.
A ToDo for the next release is to support JSON input as well.
Reports list the top customers by total spent, with the number of orders.
Performance stayed the same on the large sample file.
"""


@dataclass
class Finished:
    """A finished Office run: its output, the events it emitted and the records it left."""

    output: OfficeOutput
    events: list[tuple[str, dict[str, object]]]
    records: MemoryRecords

    def types(self) -> list[str]:
        return [kind for kind, _ in self.events]

    def payloads(self, kind: str) -> list[dict[str, object]]:
        return [payload for event, payload in self.events if event == kind]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    shutil.copytree(REPO / "examples" / "sample_app", root / "examples" / "sample_app")
    (root / "notes").mkdir()
    (root / "notes" / "todos.txt").write_text("buy milk\nTODO: write the report\n")
    (root / "notes" / "release.md").write_text(NOTES)
    return root


class TaskRunner(Protocol):
    """Runs one task to its end on the runtime under test, with the real built-in tools."""

    async def __call__(
        self,
        description: str,
        workspace: Path,
        *,
        brain: Brain | None = None,
        allowed_tools: list[str] | None = None,
        max_iterations: int = 3,
        approval_timeout_seconds: float = 86400.0,
    ) -> Finished: ...


RUNTIMES = ["local", pytest.param("temporal", marks=pytest.mark.temporal)]


@pytest.fixture(params=RUNTIMES)
async def run_task(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[TaskRunner]:
    """The Office loop on each runtime: the durable local one, and Temporal (a dev server
    for the session, a worker in this process per task) with events in a SQLite store."""
    store = Store.open(f"sqlite:///{tmp_path / 'runtime.db'}")
    address = request.getfixturevalue("temporal_server") if request.param == "temporal" else None

    async def run(
        description: str,
        workspace: Path,
        *,
        brain: Brain | None = None,
        allowed_tools: list[str] | None = None,
        max_iterations: int = 3,
        approval_timeout_seconds: float = 86400.0,
    ) -> Finished:
        records = MemoryRecords()
        agents = OfficeActivities(
            brain=brain or OfflineBrain(), tools=builtin_tools(), records=records
        )
        task = Task(
            description=description,
            context={"workspace": str(workspace)},
            constraints=TaskConstraints(allowed_tools=allowed_tools),
        )
        store.tasks.create(
            task_id=task.task_id,
            user_id="tests",
            description=description,
            body=task.model_dump(mode="json"),
        )
        office = OfficeInput(
            task=task,
            max_iterations=max_iterations,
            approval_timeout_seconds=approval_timeout_seconds,
        )
        if address is None:
            output = await _on_local(store, agents, office)
        else:
            output = await _on_temporal(address, store, agents, office)
        events = [(e.type, e.payload) for e in store.events.read(task.task_id, limit=100_000)]
        return Finished(output=output, events=events, records=records)

    yield run
    store.close()


async def _on_local(store: Store, agents: OfficeActivities, office: OfficeInput) -> OfficeOutput:
    worker = LocalWorker(store, WorkflowRegistry([office_workflow(agents)]))
    run = worker.submit(OFFICE_WORKFLOW, office, task_id=office.task.task_id)
    finished = await worker.run(run.run_id)
    assert finished.status is RunStatus.COMPLETED, finished.error
    return OfficeOutput.model_validate(finished.result)


async def _on_temporal(
    address: str, store: Store, agents: OfficeActivities, office: OfficeInput
) -> OfficeOutput:
    from temporalio.service import RPCError

    from intelligent_office.runtime.temporal import (
        RunOptions,
        TemporalSubmitter,
        WorkerOptions,
        build_worker,
        connect,
    )

    client = await connect(address, store=store, wait_seconds=10)
    queue = "office-tests"  # one worker at a time: each test stops its own
    async with build_worker(client, agents, store, WorkerOptions(task_queue=queue)):
        submitter = TemporalSubmitter(client, store, RunOptions(task_queue=queue))
        run = await submitter.submit(office)
        handle = client.get_workflow_handle(run.run_id, result_type=OfficeOutput)
        try:
            output: OfficeOutput = await handle.result()
        finally:
            # A run this test left unfinished must not reach the next test's worker.
            with contextlib.suppress(RPCError):
                await handle.terminate("the test is over")
    assert store.runs.require(run.run_id).status is RunStatus.COMPLETED
    return output
