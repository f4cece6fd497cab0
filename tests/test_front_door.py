"""One front door: the Office a program builds from Settings runs tasks and agent workflows as
stored runs that the `office` CLI and the API of the same database list, under tenant rules;
a throwaway `Office()` does the same in a private temporary database, never in OFFICE_HOME."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from intelligent_office import Agent, Office, Workflow
from intelligent_office.agentkit import RunStatus
from intelligent_office.errors import UserError
from intelligent_office.settings import Settings, load_settings
from tests.api.conftest import running


def two_agents() -> Workflow:
    return Workflow(
        name="brief",
        input="Tides rise twice a day because of the moon. Sailors plan around them.",
        agents=[
            Agent(name="read", archetype="summarizer"),
            Agent(name="write", archetype="summarizer", dependencies=["read"]),
        ],
    )


def office_cli(*args: str, home: Path) -> str:
    """Run the real `office` command on the database under `home`; its output."""
    env = {**os.environ, "OFFICE_HOME": str(home), "COLUMNS": "200"}
    env.pop("OFFICE_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "intelligent_office.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    return done.stdout


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(None, home=tmp_path / "home")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "workspace"
    folder.mkdir()
    return folder


async def test_a_task_run_from_python_is_listed_by_the_cli_and_the_api_to_its_owner_only(
    settings: Settings, workspace: Path
) -> None:
    with Office.from_settings(settings, user_id="alice") as office:
        outcome = await office.run_task("What is 2+2?", workspace=workspace)
        assert outcome.status == "completed", outcome
        assert outcome.answer is not None and "4" in outcome.answer
        assert outcome.output is not None and outcome.output.task_id == outcome.task_id
        stored = office.store.runs.require(outcome.run_id)
        assert stored.task_id == outcome.task_id
        task = office.store.tasks.get(outcome.task_id)
        assert task is not None and task.user_id == "alice"
        assert "task.completed" in [e.type for e in office.store.events.read(outcome.task_id)]
        bobs = await office.run_task("Calculate 6 * 7", workspace=workspace, user_id="bob")
        assert bobs.status == "completed" and "42" in (bobs.answer or "")

    listed = office_cli("runs", "--kind", "task", home=settings.home)
    assert outcome.run_id in listed and bobs.run_id in listed
    assert outcome.task_id in office_cli("show", outcome.task_id, home=settings.home)

    with running(settings) as live:
        alice = live.client(live.key("alice"))
        runs = alice.get("/runs").json()
        assert [(r["run_id"], r["kind"], r["status"]) for r in runs] == [
            (outcome.run_id, "task", "completed")
        ]
        assert alice.get(f"/runs/{outcome.run_id}").status_code == 200
        assert alice.get(f"/runs/{bobs.run_id}").status_code == 404
        bob = live.client(live.key("bob"))
        assert [r["run_id"] for r in bob.get("/runs").json()] == [bobs.run_id]


async def test_a_throwaway_office_stores_a_task_and_a_workflow_and_never_touches_office_home(
    tmp_path: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "office-home"
    monkeypatch.setenv("OFFICE_HOME", str(home))
    monkeypatch.setenv("OFFICE_DATABASE_URL", f"sqlite:///{home / 'office.db'}")

    office = Office()
    try:
        assert not office.settings.home.is_relative_to(home)
        outcome = await office.run_task("Calculate (2 + 3) * 4", workspace=workspace)
        assert outcome.status == "completed" and "20" in (outcome.answer or "")
        run = await office.run_workflow(two_agents())
        assert run.status is RunStatus.COMPLETED and "moon" in (run.output or "")

        # Both are stored runs with their events, in the Office's own database.
        assert office.store.runs.require(outcome.run_id).status.value == "completed"
        agents_run = office.store.runs.require(run.id)
        types = [e.type for e in office.store.events.read(agents_run.task_id)]
        assert "workflow.started" in types and "workflow.completed" in types
        assert office.workflow_status(run.id) is run
        assert office.system_status().workflows[RunStatus.COMPLETED] == 1
        private = office.settings.home
        assert private.is_dir()
    finally:
        office.close()
    assert not private.exists()  # its files go with it
    assert not home.exists()


async def test_any_office_on_the_database_reads_a_stored_workflow_run(
    settings: Settings, tmp_path: Path
) -> None:
    with Office.from_settings(settings, user_id="alice") as first:
        run = await first.run_workflow(two_agents())
    with Office.from_settings(settings) as second:
        again = second.workflow_status(run.id)
        assert again == run and again is not run
        assert second.system_status().workflows[RunStatus.COMPLETED] == 0  # not its own
        with pytest.raises(UserError, match="no workflow run 'nope'"):
            second.workflow_status("nope")


async def test_a_task_may_not_work_where_the_offices_own_files_are(settings: Settings) -> None:
    with Office.from_settings(settings) as office:
        with pytest.raises(UserError, match="contains the service's state directory"):
            await office.run_task("Calculate 1 + 1", workspace=settings.home.parent)
        assert office.store.tasks.recent() == []  # refused before anything was stored


async def test_sources_resolve_in_the_runs_root_which_is_kept_with_the_run(tmp_path: Path) -> None:
    folder = tmp_path / "flows"
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "tides.md").write_text(
        "Tides rise twice a day because of the moon. Sailors plan their trips around them."
    )
    workflow = Workflow(
        name="digest",
        input="tides",
        agents=[Agent(name="collect", archetype="summarizer", sources=["docs/*.md"])],
    )
    with Office() as office:
        run = await office.run_workflow(workflow, root=folder)
        assert run.status is RunStatus.COMPLETED and "moon" in (run.output or "")
        # A resumed run (another process, another working directory) reads the same files.
        assert office.store.runs.require(run.id).input["root"] == str(folder)
