"""The task page shows a plan's skipped branches greyed and dashed, and each criterion."""

from __future__ import annotations

import re
from pathlib import Path

from tests.api.conftest import LiveServer
from tests.office.conditional_plans import BRANCHING_STEPS, approve_with_outputs
from tests.office.flow_runner import FlowRunner
from tests.office.test_office_loop import scripted_plan
from tests.ui.conftest import ui_client

from intelligent_office.llm import PlanningResult, PlanRequest
from intelligent_office.llm.scripted import ScriptedBrain
from intelligent_office.models import Criterion


async def test_the_task_page_draws_skipped_branches_and_lists_criteria(
    live: LiveServer, tmp_path: Path
) -> None:
    workspace = tmp_path / "ws"
    (workspace / "notes").mkdir(parents=True)
    (workspace / "notes" / "todos.txt").write_text("buy milk\n")

    def planner(request: PlanRequest) -> PlanningResult:
        return scripted_plan(request, BRANCHING_STEPS)

    brain = ScriptedBrain(planner=planner, reviewer=approve_with_outputs)
    runner = FlowRunner(live.store, workspace, brain=brain, user_id="alice")
    done = await runner.run(
        "Read the notes",
        max_iterations=1,
        task={"criteria": [Criterion.parse("file:notes/todos.txt"), Criterion.parse("file:nope")]},
    )
    page = ui_client(live, live.key("alice", "operator")).get(f"/ui/tasks/{done.output.task_id}")
    assert page.status_code == 200
    graph = page.text.split('aria-label="Plan graph s1 · iteration 1"')[1].split("</svg>")[0]
    skipped = re.findall(r'<g class="node status-skipped" data-step="(\w+)">', graph)
    assert skipped == ["many", "after_many"]
    assert re.search(r'class="edge edge-skipped"[^>]*data-from="list" data-to="many"', graph)
    assert re.search(r'<g class="node status-succeeded" data-step="join">', graph)
    assert "when len(steps.list.output.files) &gt; 5" in graph
    assert "✓ pass <code>file: notes/todos.txt</code>" in page.text
    assert "✗ fail <code>file: nope</code>" in page.text
