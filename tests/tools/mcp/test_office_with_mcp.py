"""Must show: a real MCP server over stdio provides a tool that a plan uses end to end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from intelligent_office.activities import MemoryRecords, OfficeActivities
from intelligent_office.llm import PlanningResult, PlanRequest, ReviewRequest, ReviewResult
from intelligent_office.llm.scripted import ScriptedBrain
from intelligent_office.models import (
    Plan,
    PlanMetadata,
    Review,
    ReviewDecision,
    ReviewScores,
    Step,
    Task,
)
from intelligent_office.office import OfficeInput, TaskStatus, run_office
from intelligent_office.runtime.inline import InlineRuntime
from intelligent_office.tools import ToolContext
from intelligent_office.tools.builtin import builtin_tools
from intelligent_office.tools.mcp import MCPToolset
from tests.tools.mcp.conftest import words_server

TEXT = "the office counts words with a tool it found on an MCP server"


@pytest.fixture
async def office_tools() -> AsyncIterator[MCPToolset]:
    toolset = MCPToolset([words_server()], builtin_tools())
    toolset.start_blocking()  # as a service does at start-up, before any plan
    yield toolset
    await toolset.aclose()


def count_words_plan(request: PlanRequest) -> PlanningResult:
    step = Step(step_id="count", action="words.word_count", inputs={"text": TEXT})
    plan = Plan(
        plan_id=f"mcp-{request.iteration}",
        task_id=request.task.task_id,
        subtask_id=request.subtask.subtask_id,
        confidence=0.9,
        metadata=PlanMetadata(model_used="scripted"),
        steps=[step],
    )
    return PlanningResult(plan=plan)


def approve_with_the_count(request: ReviewRequest) -> ReviewResult:
    (step,) = request.execution.steps
    scores = ReviewScores(completeness=1, accuracy=1, quality=1, safety=1)
    return ReviewResult(
        review=Review(decision=ReviewDecision.APPROVE, scores=scores),
        answer=f"{step.outputs} words",
    )


async def test_a_plan_calls_a_tool_of_a_real_mcp_server(
    office_tools: MCPToolset, tmp_path: Path
) -> None:
    brain = ScriptedBrain(planner=count_words_plan, reviewer=approve_with_the_count)
    registry = office_tools.registry
    assert "words.word_count" in [spec.name for spec in registry.specs()]
    agents = OfficeActivities(
        brain=brain, tools=registry, records=MemoryRecords(), mcp=office_tools
    )
    runtime = InlineRuntime()
    task = Task(description="Count the words of a sentence", context={"workspace": str(tmp_path)})

    output = await run_office(runtime, agents, OfficeInput(task=task, max_iterations=1))

    assert output.status is TaskStatus.COMPLETED, output.failure_reason
    assert any("words.word_count" in spec.name for spec in brain.plan_requests[0].tools)
    (outcome,) = output.subtasks.values()
    execution = outcome.iterations[0].execution
    assert execution is not None
    (step,) = execution.steps
    assert step.status == "succeeded"
    assert step.outputs == {"result": 13}  # counted by the MCP server, not by us
    assert [call.tool for call in step.tool_calls] == ["words.word_count"]
    assert "13" in output.answer


def listed_tools(runtime: InlineRuntime) -> list[str]:
    """The tool names of the run's `mcp.tools` event."""
    (payload,) = [body for kind, body in runtime.events if kind == "mcp.tools"]
    tools = payload["tools"]
    assert isinstance(tools, list)
    return [str(tool["name"]) for tool in tools if isinstance(tool, dict)]


async def test_each_run_snapshots_tools_list_and_picks_up_a_changed_list(
    office_tools: MCPToolset, tmp_path: Path
) -> None:
    brain = ScriptedBrain(planner=count_words_plan, reviewer=approve_with_the_count)
    agents = OfficeActivities(
        brain=brain, tools=office_tools.registry, records=MemoryRecords(), mcp=office_tools
    )
    task = Task(description="Count the words of a sentence", context={"workspace": str(tmp_path)})

    first = InlineRuntime()
    await run_office(first, agents, OfficeInput(task=task, max_iterations=1))
    assert "words.word_count" in listed_tools(first)
    assert "words.shout" not in listed_tools(first)

    # The server grows a tool between runs; the next run lists it and plans can use it.
    await office_tools.registry.call("words.add_shout", ToolContext(workspace=tmp_path), {})
    second = InlineRuntime()
    await run_office(second, agents, OfficeInput(task=task, max_iterations=1))
    assert "words.shout" in listed_tools(second)
    assert "words.shout" in [spec.name for spec in brain.plan_requests[-1].tools]
