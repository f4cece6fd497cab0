"""Plan sign-off over the REST API: `signoff: true` makes the plan wait; the approval
shows each step with its risk; approving with `edits` runs the edited step; `revise` is
only for escalations and needs feedback."""

from __future__ import annotations

from pathlib import Path

import pytest

from intelligent_office.settings import Settings
from tests.api.api_helpers import pending_approval, settings_for, workspace_root
from tests.api.conftest import LiveServer


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return workspace_root(tmp_path)


@pytest.fixture
def api_settings(tmp_path: Path, workspace: Path) -> Settings:
    return settings_for(tmp_path, workspace)


def test_a_plan_signed_off_over_the_api_runs_with_the_edited_step(
    live: LiveServer, workspace: Path
) -> None:
    client = live.client(live.key("alice"))
    body = {"description": 'Write "hello" to out/api.txt', "signoff": True}
    task_id = client.post("/tasks", json=body).json()["task_id"]
    approval = pending_approval(client, task_id)
    assert approval["kind"] == "plan"
    (step,) = approval["detail"]["steps"]
    assert step["tool"] == "write_file" and isinstance(step["score"], int)
    assert set(step["signals"]) >= {"declared_risk", "policy_asks", "denial_rate"}
    assert not (workspace / "out").exists()

    revise = client.post(f"/approvals/{approval['id']}/revise", json={"comment": "x"})
    assert revise.status_code == 409 and "only an escalation" in revise.json()["detail"]
    assert client.post(f"/approvals/{approval['id']}/revise", json={}).status_code == 400
    unknown = client.post(
        f"/approvals/{approval['id']}/approve", json={"edits": {"nope": {"path": "x"}}}
    )
    assert unknown.status_code == 409 and "no step 'nope'" in unknown.json()["detail"]

    edited = {**step["inputs"], "path": "out/edited.txt"}
    decided = client.post(
        f"/approvals/{approval['id']}/approve", json={"edits": {step["step_id"]: edited}}
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["response"] == {"edits": {step["step_id"]: edited}}
    assert live.wait_for_task(client, task_id)["status"] == "completed"
    assert (workspace / "out" / "edited.txt").read_text() == "hello"
    assert not (workspace / "out" / "api.txt").exists()
