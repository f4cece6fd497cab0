"""Agent patterns offline: each agent does its archetype's job with its tools, or the run
ends saying a model is needed; nothing completes by echoing the question (issue 20)."""

from __future__ import annotations

from pathlib import Path

from intelligent_office import AgentFactory, AgentState, Office, Workflow
from intelligent_office.agentkit import ParallelSpec, PipelineSpec, RunStatus, SupervisorSpec
from intelligent_office.memory.embeddings import LocalMiniLM
from intelligent_office.memory.office_memory import OfficeMemory
from intelligent_office.memory.settings import MemorySettings
from intelligent_office.store import Store
from intelligent_office.tools.builtin import builtin_tools
from tests.memory.datasets import FILES


def team(workspace: Path, request: str) -> Workflow:
    return Workflow(
        name="team",
        input=request,
        agents=[
            AgentFactory.create("supervisor", name="boss"),
            AgentFactory.create("analyst", name="numbers"),
            AgentFactory.create("summarizer", name="brief"),
        ],
        pattern=SupervisorSpec(supervisor="boss", specialists=["numbers", "brief"]),
        workspace=workspace,
    )


async def test_the_readme_parallel_example_ends_saying_it_needs_a_model() -> None:
    workflow = Workflow(
        name="capital",
        input="What is the capital of Australia?",
        agents=[AgentFactory.create("researcher", name=f"r{i}") for i in range(3)],
        pattern=ParallelSpec(workers=["r0", "r1", "r2"], fusion="vote"),
        max_parallel_agents=3,
        budget={"max_cost_usd": 0.10},
    )

    run = await Office().run_workflow(workflow)

    assert run.status is RunStatus.FAILED and run.output is None
    assert run.failure is not None and "needs a model: offline, r0 (researcher)" in run.failure
    assert {a.state for a in run.agents.values()} == {AgentState.NEEDS_MODEL}


async def test_offline_the_supervisor_splits_assigns_and_its_specialists_do_the_work(
    tmp_path: Path,
) -> None:
    (tmp_path / "notes.md").write_text(
        "The quarterly revenue was 1200 euros. Costs rose by 10 percent in March.\n"
    )

    run = await Office().run_workflow(team(tmp_path, "Calculate 6 * 7 and then summarize notes.md"))

    assert run.status is RunStatus.COMPLETED, run.failure
    assert run.notes == [
        "assigned to numbers: Calculate 6 * 7",
        "assigned to brief: summarize notes.md",
    ]
    assert run.output is not None and run.output.startswith("6 * 7 = 42\n\n")
    assert "The quarterly revenue was 1200 euros." in run.output
    (calculated,) = run.agents["numbers"].tool_calls
    assert (calculated.tool, calculated.arguments, calculated.ok) == (
        "calculate",
        {"expression": "6 * 7"},
        True,
    )
    assert [u.tool for u in run.agents["brief"].tool_calls] == ["summarize_file"]


async def test_offline_a_request_no_specialist_fits_ends_saying_it_needs_a_model(
    tmp_path: Path,
) -> None:
    run = await Office().run_workflow(team(tmp_path, "Tell me a joke about penguins"))

    assert run.status is RunStatus.FAILED and run.output is None
    assert run.failure is not None and run.failure.startswith("decomposition:")
    assert "needs a model: offline, no specialist's skills fit 'Tell me a joke about penguins'" in (
        run.failure
    )
    assert run.agents["boss"].state is AgentState.NEEDS_MODEL


async def test_offline_a_researcher_answers_from_the_documents_with_search_documents(
    store: Store, minilm: LocalMiniLM, tmp_path: Path
) -> None:
    memory = OfficeMemory.open(MemorySettings(), store, embedder=minilm)
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in FILES.items():
        (docs / name).write_text(text)
    memory.ingest(docs, tenant="local")
    tools = builtin_tools()
    tools.register(memory.search_tool())
    workflow = Workflow(
        name="ask",
        input="How many samples are in the iris dataset?",
        agents=[AgentFactory.create("researcher", name="finder")],
        workspace=tmp_path,
    )

    run = await Office(tools=tools).run_workflow(workflow)

    assert run.status is RunStatus.COMPLETED, run.failure
    assert run.output is not None
    assert run.output.startswith("Number of Instances: 150 (50 in each of three classes) [1]")
    assert "[1] iris.rst:1-23" in run.output
    assert [u.tool for u in run.agents["finder"].tool_calls] == ["search_documents"]


async def test_offline_a_pipeline_with_documents_still_completes_from_them(tmp_path: Path) -> None:
    (tmp_path / "solar.md").write_text(
        "Perovskite cells reached 26 percent efficiency in the lab this year. "
        "Field trials of the new panels start in spring.\n"
    )
    workflow = Workflow(
        name="digest",
        input="solar research",
        agents=[
            AgentFactory.create("researcher", name="collect", sources=("*.md",)),
            AgentFactory.create("summarizer", name="summarize"),
        ],
        pattern=PipelineSpec(stages=[{"agent": "collect"}, {"agent": "summarize"}]),
    )

    run = await Office(root=tmp_path).run_workflow(workflow)

    assert run.status is RunStatus.COMPLETED, run.failure
    assert run.output is not None and "26 percent efficiency" in run.output
