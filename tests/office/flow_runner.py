"""Runs one Office task on the local runtime with the options a flow test needs.

The shared `run_task` fixture fixes the agents and the input; the tests of conditional
steps, review criteria and stalled runs vary them (extra tools, criteria on the task,
small timeouts on the worker), so they build the run here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import JsonValue

from intelligent_office.activities import MemoryRecords, OfficeActivities
from intelligent_office.llm import Brain, OfflineBrain
from intelligent_office.models import Task
from intelligent_office.office import OFFICE_WORKFLOW, OfficeInput, OfficeOutput, office_workflow
from intelligent_office.runtime.worker import LocalWorker
from intelligent_office.runtime.workflow import WorkflowRegistry
from intelligent_office.store import RunStatus, Store
from intelligent_office.tools.base import ToolRegistry
from intelligent_office.tools.builtin import builtin_tools


@dataclass
class FlowRun:
    """A finished run: output, events in order, and what the agents recorded."""

    output: OfficeOutput
    events: list[tuple[str, dict[str, JsonValue]]]
    records: MemoryRecords
    store: Store

    def types(self) -> list[str]:
        return [kind for kind, _ in self.events]

    def payloads(self, kind: str) -> list[dict[str, JsonValue]]:
        return [payload for event, payload in self.events if event == kind]


@dataclass
class FlowRunner:
    """Builds the agents and the worker for one task and runs it to its end."""

    store: Store
    workspace: Path
    brain: Brain = field(default_factory=OfflineBrain)
    tools: ToolRegistry = field(default_factory=builtin_tools)
    worker_options: dict[str, Any] = field(default_factory=dict)
    user_id: str = "tests"

    async def run(self, description: str, **office: Any) -> FlowRun:
        task_fields = office.pop("task", {})
        records = MemoryRecords()
        agents = OfficeActivities(brain=self.brain, tools=self.tools, records=records)
        task = Task(
            description=description,
            user_id=self.user_id,
            context={"workspace": str(self.workspace)},
            **task_fields,
        )
        self.store.tasks.create(
            task_id=task.task_id,
            user_id=self.user_id,
            description=description,
            body=task.model_dump(mode="json"),
        )
        value = OfficeInput(task=task, **office)
        worker = LocalWorker(
            self.store, WorkflowRegistry([office_workflow(agents)]), **self.worker_options
        )
        run = worker.submit(OFFICE_WORKFLOW, value, task_id=task.task_id)
        finished = await worker.run(run.run_id)
        assert finished.status is RunStatus.COMPLETED, finished.error
        events = [(e.type, e.payload) for e in self.store.events.read(task.task_id, limit=100_000)]
        return FlowRun(
            output=OfficeOutput.model_validate(finished.result),
            events=events,
            records=records,
            store=self.store,
        )
