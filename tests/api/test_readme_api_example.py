"""The README's HTTP API example holds on a real server, and POST /tasks takes time limits."""

from __future__ import annotations

import shutil
from pathlib import Path

from intelligent_office.settings import Settings
from tests.api.conftest import LiveServer

REPO = Path(__file__).resolve().parents[2]


def _alice_has_sample_app(settings: Settings) -> None:
    target = settings.workspace_roots[0] / "alice" / "sample_app"
    shutil.copytree(REPO / "examples" / "sample_app", target)


def test_the_readme_example_with_workspace_sample_app_completes(
    live: LiveServer, api_settings: Settings
) -> None:
    _alice_has_sample_app(api_settings)
    client = live.client(live.key("alice"))
    body = {
        "description": "Trace the call sequence from main() to process_data() in sample_app",
        "workspace": "sample_app",
        "priority": 5,
        "max_cost": 0.5,
    }
    response = client.post("/tasks", json=body, headers={"Idempotency-Key": "trace-2026-11-21"})
    assert response.status_code == 202, response.text
    task_id = response.json()["task_id"]
    assert live.wait_for_task(client, task_id)["status"] == "completed"
    answer = client.get(f"/tasks/{task_id}").json()["answer"]
    assert "-> app.core.processing.process_data()    called at app/pipeline.py:24" in answer


def test_a_deadline_in_the_past_ends_in_a_timeout_dead_letter(
    live: LiveServer, api_settings: Settings
) -> None:
    _alice_has_sample_app(api_settings)
    client = live.client(live.key("alice"))
    body = {"description": "Calculate 6 * 7", "deadline": "2020-01-01T00:00:00Z"}
    task_id = client.post("/tasks", json=body).json()["task_id"]
    assert live.wait_for_task(client, task_id)["status"] == "dead_lettered"
    (letter,) = client.get("/dlq").json()
    assert letter["category"] == "timeout"


def test_max_duration_must_be_positive(live: LiveServer) -> None:
    client = live.client(live.key("alice"))
    response = client.post("/tasks", json={"description": "Calculate 1+1", "max_duration": 0})
    assert response.status_code == 422
    assert "max_duration" in response.text
