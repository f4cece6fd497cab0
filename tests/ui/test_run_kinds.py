"""Every kind of run in the web UI, in Chromium: an agent workflow run from Python
(`Office.from_settings` on the server's database) is in the history as kind `agents`,
and its run page draws its agents and pattern live from the run's events; a graph
workflow and an Office task are there too, the kind filter is in the URL, and another
user sees none of them (404 in the UI and the API)."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import expect
from tests.agentkit.scripted import ScriptedModel
from tests.api.conftest import LiveServer
from tests.ui.conftest import BrowserSession, Screenshots, ui_client
from tests.ui.test_browser import no_console_errors, sign_in

from intelligent_office import Agent, Office, Workflow
from intelligent_office.agentkit import WorkflowRun
from intelligent_office.agentkit.workflow import PipelineSpec, PipelineStage
from intelligent_office.store import RunRecord, Store
from intelligent_office.workflows.graph_workflow import WORKFLOW_NAME, GraphRunInput
from intelligent_office.workflows.spec import WorkflowSpec

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

RUN_URL = re.compile(r"/ui/runs/[0-9a-f]{32}$")


def launch_note() -> Workflow:
    """Two agents in a pipeline: research, then write."""
    return Workflow(
        name="launch-note",
        input="Write the launch note.",
        agents=[
            Agent(name="research", system_prompt="research"),
            Agent(name="write", system_prompt="write"),
        ],
        pattern=PipelineSpec(
            stages=[PipelineStage(agent="research"), PipelineStage(agent="write")]
        ),
    )


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    """A thread for the agent run: Playwright's sync API holds this thread's event loop."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        yield executor


def wait_for(what: str, check: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not callable(check) or not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what} after {timeout} s")
        time.sleep(0.05)


def graph_run(store: Store, user_id: str) -> RunRecord:
    """A small YAML graph workflow queued as `user_id`'s: the server's worker runs it."""
    spec = WorkflowSpec.model_validate(
        {
            "name": "two-steps",
            "nodes": [
                {"id": "hello", "kind": "echo", "params": {"message": "hi"}},
                {
                    "id": "bye",
                    "kind": "echo",
                    "params": {"message": "bye"},
                    "dependencies": ["hello"],
                },
            ],
        }
    )
    task, _ = store.tasks.create(
        task_id=f"graph{time.monotonic_ns():027d}"[:32],
        user_id=user_id,
        description="workflow two-steps",
        body={"workflow": "two-steps"},
        status="running",
    )
    return store.runs.create(
        run_id=f"{time.monotonic_ns():032d}"[-32:],
        task_id=task.task_id,
        workflow=WORKFLOW_NAME,
        input=GraphRunInput(spec=spec).model_dump(mode="json"),
    )


def test_an_agent_run_from_python_is_in_the_history_and_its_page_is_live(
    live: LiveServer,
    ui: BrowserSession,
    shots: Screenshots,
    pool: ThreadPoolExecutor,
    workspace: Path,
) -> None:
    # The writer waits until the test lets it go: the page is watched while it runs.
    gate = threading.Event()

    def script(system: str, user: str) -> str:
        if system == "write":
            gate.wait(60)
        return f"{system} done"

    # An Office of the library's own on the server's database, its model scripted.
    office = Office(live.settings, live.store, model=ScriptedModel(script).model(), user_id="alice")
    running: Future[WorkflowRun] = pool.submit(asyncio.run, office.run_workflow(launch_note()))
    try:
        wait_for(
            "the writer to start",
            lambda: any(
                e.type == "agent.started" and e.payload.get("agent") == "write"
                for run in live.store.runs.recent(workflow="agentkit.workflow")
                for e in live.store.events.read(run.task_id)
            ),
        )
        [stored] = live.store.runs.recent(workflow="agentkit.workflow")

        alice = live.client(live.key("alice"))
        task = alice.post(
            "/tasks", json={"description": "calculate 2+3", "workspace": str(workspace)}
        ).json()
        assert live.wait_for_task(alice, task["task_id"])["status"] == "completed"
        graph = graph_run(live.store, "alice")
        wait_for("the graph run", lambda: live.store.runs.require(graph.run_id).status.finished)

        tab = ui.open()
        page = tab.page
        page.goto("/ui/")
        sign_in(tab, live.key("alice", "operator"))
        page.goto("/ui/tasks")
        rows = page.locator("#history tbody tr")
        expect(rows).to_have_count(3)
        expect(page.locator("#history thead")).to_contain_text("Kind")
        agent_row = page.locator("#history tr[data-kind=agents]")
        expect(agent_row).to_contain_text("agent workflow launch-note")
        expect(page.locator("#history tr[data-kind=graph]")).to_contain_text("two-steps")
        expect(page.locator("#history tr[data-kind=task]")).to_contain_text("calculate 2+3")

        # The kind filter is a GET form: it lands in the URL, like the search.
        page.get_by_label("Kind").select_option("agents")
        page.get_by_role("button", name="Search").click()
        expect(page).to_have_url(re.compile(r"/ui/tasks\?.*kind=agents"))
        expect(rows).to_have_count(1)
        page.goto("/ui/tasks?kind=graph")
        expect(rows).to_have_count(1)
        page.locator("#history tr[data-kind=graph] a").click()
        expect(page).to_have_url(f"{live.url}/ui/runs/{graph.run_id}")
        expect(page.locator("#run-graph h2")).to_contain_text("Nodes")
        expect(page.locator("#dag-run g.node.status-completed")).to_have_count(2)
        expect(page.locator("#dag-run path.edge")).to_have_count(1)
        page.goto(f"/ui/runs/{task['run_id']}")
        expect(page.locator("#run-graph h2")).to_contain_text("Subtasks")
        expect(page.locator("#dag-run g.node")).to_have_count(1)
        expect(page.locator("#run-graph h3")).to_contain_text("Steps of s1")

        # The agent run, while the writer works: research done, write running.
        page.goto("/ui/tasks?kind=agents")
        page.locator("#history tr[data-kind=agents] a").click()
        expect(page).to_have_url(f"{live.url}/ui/runs/{stored.run_id}")
        expect(page.locator("#run-pattern")).to_have_text("pipeline")
        expect(page.locator("#run-status")).to_have_text("running")
        research = page.locator("#agents tr[data-agent=research]")
        write = page.locator("#agents tr[data-agent=write]")
        expect(research).to_contain_text("completed")
        expect(research).to_contain_text("scripted")
        expect(write).to_contain_text("running")
        expect(page.locator("#dag-run g.node[data-node=write]")).to_have_class(
            re.compile("status-running")
        )
        expect(page.locator("#dag-run path.edge[data-from=research][data-to=write]")).to_have_count(
            1
        )
        shots.take(page, "agent-run-running")
        page.evaluate("window.stillTheSamePage = true")

        gate.set()  # the writer finishes: the page follows from the run's events
        expect(write).to_contain_text("completed", timeout=20_000)
        expect(page.locator("#run-status")).to_have_text("completed")
        expect(page.locator("#dag-run g.node[data-node=write]")).to_have_class(
            re.compile("status-completed")
        )
        assert page.evaluate("window.stillTheSamePage") is True  # updated, not reloaded
        page.locator("#run-events summary").click()
        events = page.locator("#events")
        for kind in ("workflow.started", "agent.started", "agent.finished", "workflow.completed"):
            expect(events).to_contain_text(kind)
        expect(page.locator("#timeline rect.bar")).to_have_count(2)
        expect(page.locator("#timeline text.lane")).to_have_text(["research", "write"])
        shots.take(page, "agent-run")
        no_console_errors(tab)
        assert running.result(timeout=30).output == "write done"
        assert any("/runs/" in url and "/events" in url for url in tab.requests)

        # bob sees none of alice's runs, of any kind, in the UI or the API.
        bob_ui = ui_client(live, live.key("bob", "operator"))
        bob_api = live.client(live.key("bob"))
        assert "no-tasks" in bob_ui.get("/ui/tasks").text
        for run_id in (stored.run_id, graph.run_id, task["run_id"]):
            assert bob_ui.get(f"/ui/runs/{run_id}").status_code == 404
            assert bob_ui.get(f"/ui/runs/{run_id}/live").status_code == 404
            assert bob_api.get(f"/runs/{run_id}").status_code == 404
            assert bob_api.get(f"/runs/{run_id}/events").status_code == 404
        assert bob_api.get("/runs").json() == []
    finally:
        gate.set()
        running.result(timeout=30)
        office.store.close()
