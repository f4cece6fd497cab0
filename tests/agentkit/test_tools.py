"""Agents call their tools through pydantic-ai tool calling, under the Office's tool policy."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic_ai.messages import (
    ModelMessage,
    ModelResponse,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel

from intelligent_office import Office, Workflow
from intelligent_office.agentkit import AgentFactory, PydanticAIModel, RunStatus, ToolUse
from intelligent_office.agentkit.status import AgentState
from intelligent_office.tools.policy import Policy, PolicyRule, Verdict

# The tool call the model makes first: (tool name, arguments).
Call = tuple[str, dict[str, object]]


def tool_then_answer(call: Call, offered: list[list[str]]) -> PydanticAIModel:
    """A model that calls one tool, then answers with what the tool returned."""

    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        returns = [
            part
            for message in messages
            for part in message.parts
            if isinstance(part, ToolReturnPart)
        ]
        if not returns:
            offered.append(sorted(t.name for t in info.function_tools))
            return ModelResponse(parts=[ToolCallPart(call[0], call[1])])
        return ModelResponse(parts=[TextPart(f"The tool said: {returns[-1].content}")])

    return PydanticAIModel(FunctionModel(answer, model_name="tool-caller"))


def one_agent(archetype: str, workspace: Path) -> Workflow:
    return Workflow(
        name="tools",
        input="work",
        agents=[AgentFactory.create(archetype, name="worker")],
        workspace=workspace,
    )


async def run_with(
    call: Call, archetype: str, workspace: Path, policy: Policy | None = None
) -> tuple[str, list[list[str]], list[ToolUse]]:
    offered: list[list[str]] = []
    office = Office(model=tool_then_answer(call, offered), policy=policy)
    run = await office.run_workflow(one_agent(archetype, workspace))
    assert run.status is RunStatus.COMPLETED, run.failure
    return run.output or "", offered, run.agents["worker"].tool_calls


async def test_an_analyst_calls_calculate_and_answers_with_its_result(tmp_path: Path) -> None:
    output, offered, uses = await run_with(
        ("calculate", {"expression": "1,250 * 12 + 17"}), "analyst", tmp_path
    )
    assert "15017" in output
    assert offered == [["calculate", "python_exec", "read_file"]]  # the archetype's tools
    (use,) = uses
    assert use.tool == "calculate" and use.ok and use.verdict is Verdict.ALLOW


async def test_a_researcher_reads_a_file_in_the_workflow_workspace(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("The launch moved to 14 March.\n")
    output, offered, uses = await run_with(
        ("read_file", {"path": "notes.txt"}), "researcher", tmp_path
    )
    assert "14 March" in output
    assert "read_file" in offered[0] and "list_files" in offered[0]
    (use,) = uses
    assert json.loads(use.result)["content"].startswith("The launch")


async def test_a_file_outside_the_workspace_is_not_read(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (tmp_path / "secret.txt").write_text("the password is hunter2")
    output, _, uses = await run_with(
        ("read_file", {"path": "../secret.txt"}), "researcher", workspace
    )
    assert "hunter2" not in output
    (use,) = uses
    assert not use.ok and use.result.startswith("error: read_file failed")


async def test_a_tool_the_policy_denies_is_refused_with_the_reason(tmp_path: Path) -> None:
    policy = Policy(
        rules=[
            PolicyRule(
                name="no-maths", tool="calculate", decision=Verdict.DENY, reason="not on Sundays"
            )
        ]
    )
    output, _, uses = await run_with(
        ("calculate", {"expression": "2+2"}), "analyst", tmp_path, policy
    )
    (use,) = uses
    assert not use.ok and use.verdict is Verdict.DENY
    assert "refused" in output and "not on Sundays" in output and "no-maths" in output


async def test_a_tool_needing_approval_is_refused_in_a_library_run(tmp_path: Path) -> None:
    # The shipped policy: write_file outside out/ requires approval; nobody can give it here.
    output, _, uses = await run_with(
        ("write_file", {"path": "report.md", "content": "hello"}), "writer", tmp_path
    )
    (use,) = uses
    assert use.verdict is Verdict.REQUIRE_APPROVAL and not use.ok
    assert "no approval channel" in output
    assert not (tmp_path / "report.md").exists()
    # ...while a write under out/ is allowed and lands in the workspace.
    await run_with(
        ("write_file", {"path": "out/report.md", "content": "hello"}), "writer", tmp_path
    )
    assert (tmp_path / "out" / "report.md").read_text() == "hello"


async def test_offline_an_agent_with_nothing_to_work_from_says_it_needs_a_model(
    tmp_path: Path,
) -> None:
    run = await Office().run_workflow(one_agent("analyst", tmp_path))

    assert run.status is RunStatus.FAILED
    worker = run.agents["worker"]
    assert worker.state is AgentState.NEEDS_MODEL and worker.tool_calls == []
    assert worker.error is not None and "needs a model: offline, worker (analyst)" in worker.error
    assert run.output is None
