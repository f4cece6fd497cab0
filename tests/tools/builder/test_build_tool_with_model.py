"""The same gap-to-tool path through the builder agent: a real OpenAI-compatible server on
127.0.0.1 (scripted) writes the draft; its tests run in the sandbox; approved, the retried
task completes with the tool."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intelligent_office.llm.router import LLMRouter
from intelligent_office.office import TaskStatus
from intelligent_office.settings import load_settings
from intelligent_office.tools.builder.builder import ToolBuilder
from intelligent_office.tools.builder.drafts import DraftStatus
from intelligent_office.tools.builder.templates import blueprint_for, render
from tests.learning.conftest import open_office
from tests.llm.servers import OPENAI_CHAT, ScriptedLLMServer, ToolCallReply
from tests.tools.builder.conftest import RatesAPI
from tests.tools.builder.test_build_tool_end_to_end import request_for, run_retry, tools_called


def model_draft(request: str) -> dict[str, object]:
    """What the scripted builder agent answers: a server named by it, with its own files."""
    blueprint = blueprint_for(request)
    assert blueprint is not None
    files, schema = render(blueprint, gap_id=1, request="rates")
    return {
        "server": "rates-model",
        "tool": "get_json",
        "description": "The exchange rates JSON of the local rates API.",
        "risk": "low",
        "parameters": schema,
        "inputs": blueprint.inputs,
        "logic_py": files["logic.py"],
        "server_py": files["server.py"].replace("api-rates", "rates-model"),
        "test_py": files["test_tool.py"],
    }


async def test_the_builder_agent_drafts_the_tool_through_a_model(
    tmp_path: Path, rates_api: RatesAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = open_office(tmp_path / "home")
    workspace = tmp_path / "ws"
    workspace.mkdir()
    request = request_for(rates_api)
    _, task_id = await office.run(request, workspace)
    [gap] = office.store.tool_gaps.recent(task_id=task_id)
    monkeypatch.setenv("LOCAL_LLM_KEY", "sk-test")

    with ScriptedLLMServer(OPENAI_CHAT) as server:
        server.script(ToolCallReply("final_result", model_draft(request)))
        llm = load_settings(
            home=tmp_path / "home",
            llm={
                "providers": {
                    "local": {
                        "kind": "openai",
                        "base_url": server.base_url,
                        "api_key_env": "LOCAL_LLM_KEY",
                        "timeout_seconds": 10,
                    }
                },
                "tiers": {"planner": ["local:gpt-4o-mini"]},
            },
        )
        router = LLMRouter(llm.llm, llm.budgets, office.store)
        builder = ToolBuilder(office.settings, office.store, router=router)
        draft = await builder.build(gap.id, by="alice")

    assert draft.spec["author"] == "model:local:gpt-4o-mini"
    assert request in json.dumps(server.requests[0])  # the agent was given the gap report
    assert draft.status == DraftStatus.TESTED, draft.spec["test"]["output"]
    assert draft.tool_names == ["rates-model.get_json"]
    [call] = [c for c in office.store.llm_calls.for_task(task_id) if c.agent == "builder"]
    assert call.prompt_id == "office.build_tool"

    builder.approve(draft.id, by="alice")
    retried_id, output, service = await run_retry(office, gap.id)
    try:
        assert output.status is TaskStatus.COMPLETED, output.answer
        assert tools_called(output) == ["rates-model.get_json"]
        assert "1.0842" in output.answer
    finally:
        if service.mcp is not None:
            await service.mcp.aclose()
    office.store.close()
