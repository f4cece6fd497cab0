"""How `office` commands end, as a person sees them on a terminal and as a script sees them
on pipes: Ctrl-C pauses a task (one line, exit 130) and `office resume` finishes it with
its answer, the approval hint is shown either way, and `office stats` counts unsupported
tasks apart from successes. Every command is a real process on a real SQLite file; the
offline brain plans the tasks, so no model is involved.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from intelligent_office.store import ApprovalRecord, RunStatus, Store
from tests import office_process
from tests.cli.terminals import MODES, Office, office
from tests.office_process import decide, pending

# The `office` process fixtures, shared with the other real-process tests.
env, store, workspace = office_process.env, office_process.store, office_process.workspace

pytestmark = [pytest.mark.timeout(240), pytest.mark.slow]

TASK = 'Write "hello" to notes.md'
"""Waits for a human: writing outside out/ needs an approval."""


def interrupted_while_waiting(
    mode: str, store: Store, env: dict[str, str], workspace: Path
) -> tuple[Office, ApprovalRecord]:
    """`office run TASK` until it waits for a human and tells how to decide, then Ctrl-C."""
    running = office(mode, "run", TASK, "--workspace", str(workspace), env=env, cwd=workspace)
    try:
        approval = pending(store, within=90.0)
        # The hint, whether the live view draws it (a terminal) or plain text says it (pipes).
        running.wait_for(f"office approve {approval.id}   or   office deny {approval.id}")
        running.interrupt()
        assert running.finish() == 130, running.output
    finally:
        running.kill()
    return running, approval


@pytest.mark.parametrize("mode", MODES)
def test_ctrl_c_pauses_the_task_in_one_line_and_resume_finishes_it_with_the_answer(
    mode: str, env: dict[str, str], workspace: Path, store: Store
) -> None:
    running, approval = interrupted_while_waiting(mode, store, env, workspace)
    (task,) = store.tasks.recent(limit=5)
    out = running.output
    # On pipes the paused line is stderr's; stdout's last line (the live view's final
    # frame) may reach the test's reader after it, so it is read from stderr alone.
    paused = [line for line in running.errors.splitlines() if "paused" in line]
    assert paused == [
        f"office: task {task.task_id} paused (interrupted); nothing is lost:"
        f" `office resume {task.task_id}` carries on from where it stopped"
    ], out
    assert "run running" not in out and "run.released" not in out and "Traceback" not in out
    (run,) = store.runs.recent(limit=5)
    assert run.status is RunStatus.RUNNING and run.lease_owner is None  # given back, whole
    assert not (workspace / "notes.md").exists()

    resumed = office(mode, "resume", task.task_id, env=env, cwd=workspace)
    try:
        resumed.wait_for(f"office approve {approval.id}")  # the same approval, said again
        decide("approve", approval.id, env=env, cwd=workspace)
        code = resumed.finish()
    finally:
        resumed.kill()
    out = resumed.output
    assert code == 0, out
    assert "answer  completed" in out and "wrote 5 bytes to notes.md" in out, out
    assert (workspace / "notes.md").read_text() == "hello"
    assert [a.id for a in store.approvals.list(status="approved")] == [approval.id]
    finished = store.tasks.get(task.task_id)
    assert finished is not None and finished.status == "completed"


@pytest.mark.parametrize("mode", MODES)
def test_resume_of_a_task_that_ends_dead_lettered_prints_its_outcome_and_answer(
    mode: str, env: dict[str, str], workspace: Path, store: Store
) -> None:
    # No decision within it: the task is dead-lettered (policy). It only has to outlast the
    # Ctrl-C below (a second or two after the request); the test waits it out.
    timeout = 10.0
    env = env | {"OFFICE_APPROVAL_TIMEOUT_SECONDS": str(timeout)}
    _, approval = interrupted_while_waiting(mode, store, env, workspace)
    (task,) = store.tasks.recent(limit=5)
    expired = approval.requested_at.replace(tzinfo=UTC) + timedelta(seconds=timeout + 1)
    time.sleep(max(0.0, (expired - datetime.now(UTC)).total_seconds()))

    resumed = office(mode, "resume", task.task_id, env=env, cwd=workspace)
    code = resumed.finish()
    out = resumed.output
    assert code == 1, out
    assert "answer  dead_lettered" in out, out
    assert "The task could not be finished (policy)" in out
    letter = store.dead_letters.recent()[0]
    assert f"office dlq show {letter.id}" in " ".join(out.split())
    assert f"run {letter.run_id}: completed" not in out  # the run's status is not the outcome


def seed_finished_tasks(store: Store) -> None:
    """Tasks that ended each way: 1 completed, 2 unsupported, 1 dead-lettered (4 finished)."""
    for number, status in enumerate(["completed", "unsupported", "unsupported", "dead_lettered"]):
        store.tasks.create(
            task_id=f"t{number}",
            user_id="ann",
            description=f"task {number}",
            priority=5,
            body={},
            status=status,
        )


@pytest.mark.parametrize("mode", MODES)
def test_stats_count_unsupported_tasks_apart_from_successes(
    mode: str, env: dict[str, str], workspace: Path, store: Store
) -> None:
    seed_finished_tasks(store)
    shown = office(mode, "stats", env=env, cwd=workspace)
    assert shown.finish() == 0, shown.output
    rows = {
        cells[0]: cells[1]
        for line in shown.output.splitlines()
        if len(cells := [cell.strip() for cell in line.strip("│| ").split("│") if cell.strip()])
        == 2
    }
    assert rows["succeeded"] == "1" and rows["unsupported"] == "2", shown.output
    assert rows["dead-lettered"] == "1" and rows["failed"] == "0", shown.output
    assert rows["success rate (succeeded / finished)"] == "25%", shown.output

    as_json = office(mode, "stats", "--json", env=env, cwd=workspace)
    assert as_json.finish() == 0
    body = json.loads(as_json.output[as_json.output.index("{") :])
    assert body["outcomes"] == {
        "succeeded": 1,
        "unsupported": 2,
        "failed": 0,
        "dead_lettered": 1,
        "cancelled": 0,
    }
    assert body["success_rate"] == 0.25


def test_the_cli_refuses_a_task_past_the_limit_the_api_has(
    database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from intelligent_office.limits import MAX_TASK_DESCRIPTION_CHARS
    from tests.cli.test_cli import office as office_in_process

    workspace = tmp_path / "ws"
    workspace.mkdir()
    task = "List files. " + "x" * 110_000  # 110 KB, as the issue sent
    code, out, err = office_in_process(
        ["run", task, "--workspace", str(workspace)], capsys, monkeypatch
    )
    assert code == 2 and out == ""
    assert err == (
        "office: bad task: the description is 110,012 characters long, more than the"
        f" {MAX_TASK_DESCRIPTION_CHARS:,} allowed: shorten it, or put the material in a file"
        " in the workspace and name the file in the task\n"
    )
    exact = "y" * MAX_TASK_DESCRIPTION_CHARS  # the limit itself is accepted (and unsupported)
    code, out, _ = office_in_process(
        ["run", exact, "--workspace", str(workspace), "--json"], capsys, monkeypatch
    )
    assert json.loads(out)["result"]["status"] == "unsupported"
    stored = Store.open(database)
    try:
        assert [len(task.description) for task in stored.tasks.recent()] == [20_000]
    finally:
        stored.close()
