"""A Temporal worker SIGKILLed in the middle of a task: a new worker finishes it, and the
activities that had finished are not run again (Temporal's history is the journal).

The task is queued in the SQL store as the API queues it; the workers' bridge starts it
on Temporal. The killed worker heartbeats while its tool stalls, so the stall itself is
never taken for a dead worker; once it is killed, the missed heartbeat sends the step to
the new worker under the same activity id.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from intelligent_office.front_door import Office
from intelligent_office.office import OfficeOutput, TaskStatus
from intelligent_office.settings import load_settings
from intelligent_office.store import RunRecord, RunStatus, Store
from intelligent_office.task_input import new_task

pytestmark = [pytest.mark.temporal, pytest.mark.timeout(90)]

REPO = Path(__file__).resolve().parents[2]
CHAIN = "List txt files in notes, then read the file notes/todos.txt, then calculate 2 + 2"
HEARTBEAT = 1.0


@pytest.fixture
def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'office.db'}"


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    opened = Store.open(database)
    yield opened
    opened.close()


class Workers:
    """Worker processes on one task queue, started and stopped by the test."""

    def __init__(self, address: str, database: str, tmp_path: Path, log: Path) -> None:
        self.address, self.database, self.tmp_path, self.log = address, database, tmp_path, log
        self.queue = f"crash-{tmp_path.name}"
        self.children: list[subprocess.Popen[str]] = []

    def start(self, stall_at: str | None = None) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "tests.temporal.worker_child", "--address", self.address]
        command += ["--task-queue", self.queue, "--log", str(self.log)]
        command += ["--heartbeat", str(HEARTBEAT)]
        if stall_at:
            command += ["--stall-at", stall_at]
        env = {
            **os.environ,
            "OFFICE_DATABASE_URL": self.database,
            "OFFICE_HOME": str(self.tmp_path / "home"),
            "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
        }
        errors = (self.tmp_path / f"worker-{len(self.children)}.err").open("w")
        child = subprocess.Popen(
            command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=errors, text=True
        )
        errors.close()  # the child has its own copy
        self.children.append(child)
        return child

    def stop_all(self) -> None:
        for child in self.children:
            if child.poll() is None:
                child.terminate()
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()


def wait_for(
    condition: Callable[[], object], what: str, child: subprocess.Popen[str], timeout: float = 40
) -> None:
    """Poll `condition` until it holds; fail at once if the worker died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if child.poll() is not None:
            raise AssertionError(f"the worker exited ({child.returncode}) before {what}")
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def lines(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def finished(store: Store, run_id: str) -> RunRecord | None:
    run = store.runs.require(run_id)
    return run if run.status.finished else None


async def test_a_killed_worker_is_replaced_and_finished_activities_are_not_run_again(
    temporal_server: str, database: str, store: Store, workspace: Path, tmp_path: Path
) -> None:
    log = tmp_path / "calls.log"
    workers = Workers(temporal_server, database, tmp_path, log)
    service = Office(load_settings(None, home=tmp_path / "home"), store)
    _, run = service.submit(service.worker(), new_task(CHAIN, workspace=workspace))
    try:
        first = workers.start(stall_at="calculate")
        wait_for(lambda: "tool calculate" in lines(log), "the stalled step", first)
        # Heartbeats keep the stalled step alive past its heartbeat timeout...
        time.sleep(HEARTBEAT * 2.5)
        assert lines(log).count("tool calculate") == 1
        first.send_signal(signal.SIGKILL)  # ...until the worker dies
        first.wait(timeout=10)
        assert store.runs.require(run.run_id).status is RunStatus.RUNNING

        second = workers.start()
        wait_for(lambda: finished(store, run.run_id) is not None, "the run to finish", second)
    finally:
        workers.stop_all()

    final = store.runs.require(run.run_id)
    assert final.status is RunStatus.COMPLETED, final.error
    output = OfficeOutput.model_validate(final.result)
    assert output.status is TaskStatus.COMPLETED
    assert "2 + 2 = 4" in output.answer and "buy milk" in output.answer
    task = store.tasks.get(run.task_id)
    assert task is not None and task.status == "completed"
    calls = Counter(lines(log))
    # Everything that finished before the kill ran once; only the step in flight ran again.
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
            "tool calculate": 2,
            "review s3 1": 1,
            "synthesize": 1,
        }
    )
    events = Counter(event.type for event in store.events.read(run.task_id, limit=10_000))
    assert events == Counter(
        {
            "run.started": 1,
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
