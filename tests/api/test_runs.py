"""`/runs` over a real server: runs listed per tenant, their steps, and forking one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from intelligent_office.settings import Settings
from tests.api.api_helpers import settings_for, workspace_root
from tests.api.conftest import LiveServer, running


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return workspace_root(tmp_path)


@pytest.fixture
def settings(tmp_path: Path, workspace: Path) -> Settings:
    return settings_for(tmp_path, workspace)


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveServer]:
    with running(settings) as server:
        yield server


def test_a_run_is_listed_stepped_and_forked_by_its_owner_only(
    live: LiveServer, workspace: Path
) -> None:
    alice = live.client(live.key("alice"))
    bob = live.client(live.key("bob"))
    task = alice.post(
        "/tasks",
        json={"description": "calculate 2+3 and then calculate 4*5", "workspace": str(workspace)},
    ).json()
    assert live.wait_for_task(alice, task["task_id"])["status"] == "completed"
    run_id = task["run_id"]

    listed = alice.get("/runs").json()
    assert [(run["run_id"], run["kind"], run["status"]) for run in listed] == [
        (run_id, "task", "completed")
    ]
    assert bob.get("/runs").json() == []
    assert bob.get(f"/runs/{run_id}").status_code == 404
    assert bob.get(f"/runs/{run_id}/steps").status_code == 404

    steps = alice.get(f"/runs/{run_id}/steps").json()
    calls = [step for step in steps if step["activity"] == "office.run_step"]
    assert len(calls) == 2
    # What each step saw: its input, and when it started (measured, before it finished).
    assert "2+3" in json.dumps(calls[0]["input"]) and "4*5" in json.dumps(calls[1]["input"])
    assert all(call["started_at"] and call["started_at"] < call["recorded_at"] for call in calls)
    edit = {"at": str(calls[1]["number"]), "input": {"inputs": {"expression": "6*7"}}}
    assert bob.post(f"/runs/{run_id}/fork", json=edit).status_code == 404

    forked = alice.post(f"/runs/{run_id}/fork", json=edit)
    assert forked.status_code == 202, forked.text
    body = forked.json()
    assert body["parent_run_id"] == run_id and body["step"] == calls[1]["key"]
    final = live.wait_for_task(alice, body["task_id"])
    assert final["status"] == "completed"
    answer = alice.get(f"/tasks/{body['task_id']}").json()["answer"]
    assert "6*7 = 42" in answer and "2+3 = 5" in answer
    redone = alice.get(f"/runs/{body['run_id']}/steps").json()
    edited = [step for step in redone if step["key"] == calls[1]["key"]]
    assert len(edited) == 1 and "6*7" in json.dumps(edited[0]["input"])

    bad = alice.post(f"/runs/{run_id}/fork", json={"at": "no-such-step"})
    assert bad.status_code == 400 and "no step 'no-such-step'" in bad.json()["detail"]
