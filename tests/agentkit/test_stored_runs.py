"""An agent workflow run from Python is a stored run like any other: listed by
`office runs`, served by `GET /runs` to its owner only, with its agents' events."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from intelligent_office import Office, Workflow
from intelligent_office.agentkit import RunStatus
from intelligent_office.settings import load_settings
from intelligent_office.store import Store
from tests.agentkit.scripted import ScriptedModel, launch_note
from tests.api.conftest import running


def two_agents() -> Workflow:
    return launch_note()


def model() -> ScriptedModel:
    return ScriptedModel(lambda system, user: f"{system} done")


async def test_a_run_from_python_is_stored_with_its_agents_events_and_listed(
    tmp_path: Path,
) -> None:
    settings = load_settings(None, home=tmp_path / "home")
    store = Store.open(settings.resolved_database_url)
    try:
        office = Office(settings, store, model=model().model(), user_id="alice")
        run = await office.run_workflow(two_agents())
        assert run.status is RunStatus.COMPLETED and run.output == "write done"

        stored = store.runs.require(run.id)
        task = store.tasks.get(stored.task_id)
        assert task is not None and task.user_id == "alice" and task.status == "completed"
        types = [(e.type, e.payload.get("agent")) for e in store.events.read(task.task_id)]
        assert types[0] == ("run.started", None)
        assert [t for t in types if t[0].startswith(("agent.", "workflow."))] == [
            ("workflow.started", None),
            ("agent.started", "research"),
            ("agent.finished", "research"),
            ("agent.started", "write"),
            ("agent.finished", "write"),
            ("workflow.completed", None),
        ]
    finally:
        store.close()

    env = {**os.environ, "OFFICE_HOME": str(tmp_path / "home"), "COLUMNS": "200"}
    listed = subprocess.run(
        [sys.executable, "-m", "intelligent_office.cli", "runs", "--kind", "agents"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert run.id in listed.stdout and "agentkit.workflow" in listed.stdout
    shown = subprocess.run(
        [sys.executable, "-m", "intelligent_office.cli", "show", run.id],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "workflow launch-note" in shown.stdout and "agent.finished" in shown.stdout

    with running(settings) as live:
        alice = live.client(live.key("alice")).get("/runs", params={"kind": "agents"}).json()
        assert [(r["run_id"], r["kind"], r["status"]) for r in alice] == [
            (run.id, "agents", "completed")
        ]
        stream = live.client(live.key("alice")).get(f"/runs/{run.id}/events")
        assert stream.status_code == 200
        assert "event: agent.finished" in stream.text and "event: workflow.completed" in stream.text
        bob = live.client(live.key("bob"))
        assert bob.get("/runs").json() == []
        assert bob.get(f"/runs/{run.id}").status_code == 404
        assert bob.get(f"/runs/{run.id}/events").status_code == 404
