"""Must show: a high-risk step pauses the run; the process is killed and restarted;
`office approve` resumes it; a denial leads to a new plan without that step.

Everything here is a real `office` process on a SQLite file: `office run` waits for a
human, is SIGKILLed, `office resume` picks the run up, and `office approve` (another
process) lets it go on. The offline brain plans the write, so no model is involved.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from intelligent_office.store import Store
from tests import office_process
from tests.office_process import decide, pending

# The `office` process fixtures, shared with the other real-process tests.
env, store, workspace = office_process.env, office_process.store, office_process.workspace

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]

TASK = 'Write "hello" to notes.md'


def office(*args: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    """An `office` command in its own process group (killed whole by the test)."""
    return subprocess.Popen(
        [sys.executable, "-m", "intelligent_office.cli", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def finish(process: subprocess.Popen[str], within: float = 60.0) -> str:
    output, _ = process.communicate(timeout=within)
    assert process.returncode == 0, output
    return output


def test_a_risky_step_waits_through_a_killed_process_and_runs_once_approved(
    env: dict[str, str], workspace: Path, store: Store
) -> None:
    first = office("run", TASK, env=env, cwd=workspace)
    try:
        approval = pending(store)
        assert "notes.md" in approval.subject and approval.kind == "tool"
        assert not (workspace / "notes.md").exists()  # nothing runs before a decision
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the whole process dies, no clean-up
        first.communicate()
    (run,) = store.runs.recent(limit=1)
    assert not run.status.finished

    second = office("resume", run.run_id, env=env, cwd=workspace)  # a new process
    try:
        time.sleep(1.0)
        assert second.poll() is None  # it waits for the same decision, not a new one
        assert [a.id for a in store.approvals.list(status="pending")] == [approval.id]
        decide("approve", approval.id, env=env, cwd=workspace)
        output = finish(second)
    finally:
        if second.poll() is None:
            os.killpg(second.pid, signal.SIGKILL)
            second.communicate()
    assert "completed" in output
    assert (workspace / "notes.md").read_text() == "hello"
    task = store.tasks.get(run.task_id)
    assert task is not None and task.status == "completed"
    types = [event.type for event in store.events.read(run.task_id)]
    assert types.count("approval.requested") == 1  # the request was not repeated
    assert types.count("node.completed") == 1  # the write ran once


def test_a_denial_leads_to_a_plan_without_that_step(
    env: dict[str, str], workspace: Path, store: Store
) -> None:
    running = office("run", TASK, env=env, cwd=workspace)
    try:
        approval = pending(store)
        decide("deny", approval.id, "--reason", "not in my files", env=env, cwd=workspace)
        finish(running)
    finally:
        if running.poll() is None:
            os.killpg(running.pid, signal.SIGKILL)
            running.communicate()
    assert not (workspace / "notes.md").exists()
    assert (workspace / "out" / "notes.md").read_text() == "hello"
    (run,) = store.runs.recent(limit=1)
    events = store.events.read(run.task_id)
    refused = [event.payload for event in events if event.type == "plan.refused"]
    assert len(refused) == 1 and "not in my files" in json.dumps(refused[0])
    plans = [event.payload for event in events if event.type == "plan.created"]
    assert len(plans) == 2
    audit = [entry.action for entry in store.audit.recent(task_id=run.task_id)]
    assert "approval.denied" in audit
