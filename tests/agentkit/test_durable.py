"""Agent workflows on the durable local runtime: calls journaled, replays call no model."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from intelligent_office import Agent, Office, Workflow
from intelligent_office.agentkit import (
    AGENT_WORKFLOW,
    AgentWorkflowInput,
    PipelineSpec,
    PipelineStage,
    RunStatus,
    WorkflowRun,
    agent_workflow,
)
from intelligent_office.runtime.journal_writer import JournalWriter
from intelligent_office.runtime.local import LocalRunContext
from intelligent_office.runtime.worker import LocalWorker
from intelligent_office.runtime.workflow import WorkflowRegistry
from intelligent_office.store import RunStatus as StoredRunStatus
from intelligent_office.store import Store
from tests.agentkit.scripted import ScriptedModel

CALL = "agentkit.call_agent"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(f"sqlite:///{tmp_path / 'agents.db'}")
    yield opened
    opened.close()


def gate_fails_once() -> ScriptedModel:
    """A writer whose first draft the gate rejects; the second it approves."""
    rounds = {"gate": 0}

    def script(system: str, user: str) -> str:
        if system == "gate":
            rounds["gate"] += 1
            return "REVISE: name the date" if rounds["gate"] == 1 else "APPROVE"
        if system == "research":
            return "The launch is on 14 March."
        return "Draft with the date 14 March." if "Feedback" in user else "Draft."

    return ScriptedModel(script)


def workflow() -> Workflow:
    return Workflow(
        name="launch-note",
        input="Write the launch note.",
        agents=[
            Agent(name="research", system_prompt="research"),
            Agent(name="write", system_prompt="write"),
            Agent(name="gate", system_prompt="gate"),
        ],
        pattern=PipelineSpec(
            stages=[PipelineStage(agent="research"), PipelineStage(agent="write", gate="gate")]
        ),
    )


async def test_an_agent_workflow_runs_durably_and_replays_from_its_journal(store: Store) -> None:
    model = gate_fails_once()
    office = Office(model=model.model())
    worker = LocalWorker(store, WorkflowRegistry([agent_workflow(office.workflow_runner)]))
    store.tasks.create(task_id="t-agents", user_id="tests", description="launch note")
    record = worker.submit(
        AGENT_WORKFLOW, AgentWorkflowInput(workflow=workflow()), task_id="t-agents"
    )
    finished = await worker.run(record.run_id)

    assert finished.status is StoredRunStatus.COMPLETED, finished.error
    run = WorkflowRun.model_validate(finished.result)
    assert run.id == record.run_id and run.status is RunStatus.COMPLETED
    assert run.output == "Draft with the date 14 March."
    # One journal entry per model call, under keys that name the stage and round.
    journal = store.journal.load(record.run_id)
    calls = sorted(key for key, entry in journal.items() if entry.activity == CALL)
    assert len(model.calls) == 5  # research, write, gate (REVISE), write, gate (APPROVE)
    assert len(calls) == len(model.calls)
    assert all(journal[key].ok for key in calls)
    first_keys = calls

    # The same run again (as after a crash): every call is answered from the journal.
    context = LocalRunContext(
        store=store,
        writer=JournalWriter(store),
        run_id=record.run_id,
        task_id="t-agents",
        owner=None,
        lease_seconds=30.0,
        journal=store.journal.load(record.run_id),
        event_keys=store.journal.event_keys("t-agents"),
        signal_wakeup=lambda _run, _name: asyncio.Event(),
    )
    again = await office.run_workflow(workflow(), runtime=context)
    assert len(model.calls) == 5  # no model was called
    assert context.replayed == len(first_keys)
    assert again.output == run.output and again.status is RunStatus.COMPLETED
    # The replayed run counts the same calls and tokens as the first.
    assert {n: r.calls for n, r in again.agents.items()} == {"research": 1, "write": 2, "gate": 2}
    assert {n: r.calls for n, r in run.agents.items()} == {"research": 1, "write": 2, "gate": 2}
    assert again.agents["write"].input_tokens == run.agents["write"].input_tokens > 0
    replayed_keys = sorted(
        k for k, e in store.journal.load(record.run_id).items() if e.activity == CALL
    )
    assert replayed_keys == first_keys  # keys are stable: nothing new was journaled
