"""`/metrics` on the live app, parsed with prometheus-client's own parser."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from intelligent_office.settings import Settings
from tests.api.api_helpers import settings_for, trace_task, workspace_root
from tests.api.conftest import LiveServer, live  # noqa: F401 - the fixture


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return workspace_root(tmp_path)


@pytest.fixture
def api_settings(tmp_path: Path, workspace: Path) -> Settings:
    return settings_for(tmp_path, workspace)


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(server: LiveServer) -> Samples:
    response = server.client().get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_move_as_tasks_run(live: LiveServer, workspace: Path) -> None:  # noqa: F811
    before = scrape(live)
    assert value(before, "office_queue_depth") == 0
    assert value(before, "office_tasks", status="completed") == 0
    assert value(before, "office_tasks_finished_total", status="completed") == 0

    client = live.client(live.key("alice"))
    task_ids = []
    for _ in range(2):
        response = client.post(
            "/tasks", json={"description": trace_task(workspace), "workspace": "sample_app"}
        )
        assert response.status_code == 202, response.text
        task_ids.append(response.json()["task_id"])
    for task_id in task_ids:
        assert live.wait_for_task(client, task_id)["status"] == "completed"

    after = scrape(live)
    assert value(after, "office_tasks", status="completed") == 2
    assert value(after, "office_tasks_finished_total", status="completed") == 2
    assert value(after, "office_task_duration_seconds_count", status="completed") == 2
    assert value(after, "office_tool_calls_total", tool="trace_calls", outcome="ok") >= 2
    assert value(after, "office_tool_latency_seconds_count", tool="trace_calls", outcome="ok") >= 2
    assert value(after, "office_activities_total", activity="office.plan", outcome="ok") >= 2
    assert value(after, "office_approvals_pending") == 0
    assert value(after, "office_queue_depth") == 0
