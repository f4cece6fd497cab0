"""The Office loop on the durable local runtime, on SQLite and on PostgreSQL.

A task submitted through `Office` reaches its answer with its events and journal
in the store; a task that cannot be done becomes one dead letter that can be retried;
and a worker SIGKILLed in the middle of a task is resumed by a fresh worker that
replays what the journal holds instead of doing it again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from intelligent_office.front_door import Office
from intelligent_office.models.event import Event
from intelligent_office.office import OfficeOutput, TaskStatus
from intelligent_office.settings import Settings, load_settings
from intelligent_office.store import RunRecord, RunStatus, Store
from intelligent_office.task_input import new_task
from tests.office.crash_child import recording_service

REPO = Path(__file__).resolve().parents[2]
TRACE = "Trace the call sequence from main() to process_data() in examples/sample_app"
CHAIN = "List txt files in notes, then read the file notes/todos.txt, then calculate 2 + 2"
STALL_AT = "calculate"
"""The tool of the CHAIN's last step: the crash test kills the worker while it runs."""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(None, home=tmp_path / "home", max_iterations=3)


@pytest.fixture
def service(settings: Settings, store: Store) -> Office:
    return Office(settings, store)


def output_of(run: RunRecord) -> OfficeOutput:
    assert run.status is RunStatus.COMPLETED, run.error
    return OfficeOutput.model_validate(run.result)


def events_of(store: Store, task_id: str) -> list[Event]:
    events = store.events.read(task_id, limit=100_000)
    seqs = [event.seq for event in events]
    assert seqs == sorted(set(seqs)), "events must come in strictly increasing seq order"
    return events


def in_order(seen: list[str], expected: list[str]) -> bool:
    """Whether `expected` occurs in `seen` in this order, other items in between."""
    remaining = iter(seen)
    return all(kind in remaining for kind in expected)


def task_status(store: Store, task_id: str) -> str:
    record = store.tasks.get(task_id)
    assert record is not None
    return record.status


async def test_a_trace_task_completes_with_its_events_and_journal_in_the_store(
    service: Office, store: Store, workspace: Path
) -> None:
    worker = service.worker()
    record, run = service.submit(worker, new_task(TRACE, workspace=workspace))

    output = output_of(await worker.run(run.run_id))

    assert output.status is TaskStatus.COMPLETED
    assert "-> app.core.processing.process_data()" in output.answer
    assert task_status(store, record.task_id) == "completed"
    events = events_of(store, record.task_id)
    assert {event.run_id for event in events} == {run.run_id}
    types = [event.type for event in events]
    assert in_order(
        types,
        [
            "run.started",
            "task.started",
            "task.decomposed",
            "subtask.started",
            "plan.created",
            "plan.validated",
            "node.started",
            "node.completed",
            "execution.finished",
            "review.decided",
            "subtask.completed",
            "task.completed",
            "run.completed",
        ],
    ), types
    assert not {"plan.rejected", "dead_letter.created", "task.dead_lettered"} & set(types)
    nodes = [event.payload for event in events if event.type.startswith("node.")]
    assert nodes and all(node["scope"] == "subtask/s1/iter/1" for node in nodes)
    journal = store.journal.load(run.run_id)
    expected = {
        "task/running/attempt/1": "office.finish_task",
        "tools/listed/attempt/1": "office.list_tools",
        "decompose/attempt/1": "office.decompose",
        "subtask/s1/iter/1/plan/attempt/1": "office.plan",
        "subtask/s1/iter/1/validate/attempt/1": "office.validate",
        "subtask/s1/iter/1/authorize/attempt/1": "office.authorize",
        "subtask/s1/iter/1/node/trace/attempt/1": "office.run_step",
        "subtask/s1/iter/1/review/attempt/1": "office.review",
        "synthesize/attempt/1": "office.synthesize",
        "task/finish/attempt/1": "office.finish_task",
    }
    assert {key: entry.activity for key, entry in journal.items()} == expected
    assert all(entry.ok for entry in journal.values())


async def test_a_task_out_of_iterations_is_one_dead_letter_and_its_retry_completes(
    service: Office, store: Store, workspace: Path
) -> None:
    worker = service.worker()
    task = new_task("Read the file notes/todo.txt", workspace=workspace)  # it is todos.txt
    record, run = service.submit(worker, task)

    output = output_of(await worker.run(run.run_id))

    assert output.status is TaskStatus.DEAD_LETTERED
    (letter,) = store.dead_letters.recent()
    assert letter.id == output.dead_letter_id
    assert (letter.task_id, letter.run_id, letter.category) == (task.task_id, run.run_id, "review")
    assert letter.history["task"] == task.model_dump(mode="json")
    # The missing file is a permanent error: the same plan planned again is not run again.
    assert len(letter.history["subtasks"]["s1"]["iterations"]) == 2
    assert task_status(store, record.task_id) == "dead_lettered"
    types = [event.type for event in events_of(store, record.task_id)]
    assert types.count("review.decided") == 1 and types.count("plan.repeated") == 1
    assert in_order(types, ["subtask.failed", "dead_letter.created", "task.dead_lettered"])

    retry, retry_run = service.retry_dead_letter(
        worker, letter.id, description="Read the file notes/todos.txt"
    )
    retried = output_of(await worker.run(retry_run.run_id))

    assert retried.status is TaskStatus.COMPLETED and "buy milk" in retried.answer
    assert retry.task_id != record.task_id
    assert task_status(store, retry.task_id) == "completed"
    assert task_status(store, record.task_id) == "dead_lettered"
    marked = store.dead_letters.require(letter.id)
    assert marked.retry_task_id == retry.task_id and marked.retried_at is not None
    assert len(store.dead_letters.recent()) == 1  # the retry left no letter of its own


def wait_for_line(log: Path, line: str, child: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and line in log.read_text().splitlines():
            return
        if child.poll() is not None:
            raise AssertionError(f"the worker exited ({child.returncode}) before {line!r}")
        time.sleep(0.02)
    raise AssertionError(f"the worker never logged {line!r}")


@pytest.mark.timeout(60)
async def test_a_worker_killed_mid_task_is_resumed_without_redoing_journaled_work(
    database_url: str, store: Store, settings: Settings, workspace: Path, tmp_path: Path
) -> None:
    log = tmp_path / "calls.log"
    env = {
        **os.environ,
        "OFFICE_DATABASE_URL": database_url,
        "OFFICE_HOME": str(tmp_path / "home"),
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
    }
    command = ["--workspace", str(workspace), "--log", str(log), "--stall-at", STALL_AT]
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.office.crash_child", CHAIN, *command],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_line(log, f"tool {STALL_AT}", child)
    finally:
        child.kill()
        _, err = child.communicate(timeout=10)
    assert child.returncode == -signal.SIGKILL, err

    [run] = store.runs.recent()
    assert run.status is RunStatus.RUNNING  # the dead worker still holds the lease
    journaled = store.journal.load(run.run_id)
    # Killed inside s3's only step: s1 and s2 are done, s3 is planned and validated.
    assert "subtask/s2/iter/1/review/attempt/1" in journaled
    assert "subtask/s3/iter/1/validate/attempt/1" in journaled
    assert not any(key.startswith("subtask/s3/iter/1/node/") for key in journaled)

    # A fresh worker frees the dead process's lease at once and carries on.
    worker = recording_service(settings, store, log).worker()
    output = output_of(await worker.run(run.run_id))

    assert output.status is TaskStatus.COMPLETED
    assert "2 + 2 = 4" in output.answer and "buy milk" in output.answer
    assert task_status(store, run.task_id) == "completed"
    final = store.runs.require(run.run_id)
    assert final.starts == 2
    calls = Counter(log.read_text().splitlines())
    # Everything journaled before the kill ran once; only the step in flight ran again.
    assert calls == Counter(
        {
            "decompose": 1,
            "plan s1 1": 1,
            "tool list_files": 1,
            "review s1 1": 1,
            "plan s2 1": 1,
            "tool read_file": 1,
            "review s2 1": 1,
            "plan s3 1": 1,
            f"tool {STALL_AT}": 2,
            "review s3 1": 1,
            "synthesize": 1,
        }
    )
    events = events_of(store, run.task_id)
    [completed] = [event for event in events if event.type == "run.completed"]
    assert completed.payload["replayed"] == len(journaled)
    # The stream tells the story of one run, started twice: no event was recorded twice.
    assert Counter(event.type for event in events) == Counter(
        {
            "run.started": 2,
            "task.started": 1,
            "task.decomposed": 1,
            "subtask.started": 3,
            "plan.created": 3,
            "plan.validated": 3,
            "plan.risk": 3,
            "prompt.version": 3,
            "node.started": 3,
            "node.completed": 3,
            "execution.finished": 3,
            "review.decided": 3,
            "subtask.completed": 3,
            "task.completed": 1,
            "run.completed": 1,
        }
    )
