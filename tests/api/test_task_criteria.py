"""Acceptance criteria sent with a task over the API reach the reviewer and its events."""

from __future__ import annotations

from pathlib import Path

import pytest

from intelligent_office.settings import Settings
from tests.api.api_helpers import settings_for, workspace_root
from tests.api.conftest import LiveServer


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return workspace_root(tmp_path)


@pytest.fixture
def api_settings(tmp_path: Path, workspace: Path) -> Settings:
    return settings_for(tmp_path, workspace)


def test_criteria_sent_with_a_task_are_judged_and_a_failed_check_dead_letters_it(
    live: LiveServer, workspace: Path
) -> None:
    client = live.client(live.key("alice"))
    (workspace / "notes.txt").write_text("buy milk\n")  # alice's own directory
    criteria = [
        {"kind": "file", "value": "notes.txt"},
        {"kind": "regex", "value": "coffee"},
    ]
    submitted = client.post(
        "/tasks", json={"description": "Read the file notes.txt", "criteria": criteria}
    )
    assert submitted.status_code == 202, submitted.text
    task_id = submitted.json()["task_id"]
    assert live.wait_for_task(client, task_id)["status"] == "dead_lettered"
    logs = client.get(f"/tasks/{task_id}/logs", params={"limit": 500}).json()["items"]
    reviews = [event["payload"] for event in logs if event["type"] == "review.decided"]
    assert reviews and reviews[0]["decision"] == "REVISE"
    judged = [(c["criterion"]["kind"], c["passed"]) for c in reviews[0]["criteria"]]
    assert judged == [("file", True), ("regex", False)]

    bad = client.post(
        "/tasks",
        json={"description": "Read it", "criteria": [{"kind": "regex", "value": "(open"}]},
    )
    assert bad.status_code == 422 and "does not compile" in bad.text
