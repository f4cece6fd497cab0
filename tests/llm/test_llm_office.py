"""The Office on the LLM path: `office run` planned by a model on a local OpenAI-compatible
server, budgets that stop or hold a task, and configuration mistakes that fail at start."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from intelligent_office.errors import ConfigError
from intelligent_office.front_door import Office
from intelligent_office.office import TaskStatus
from intelligent_office.settings import load_settings
from intelligent_office.store import Store
from intelligent_office.task_input import new_task
from tests.cli.test_cli import REPO, office
from tests.llm.servers import ScriptedLLMServer, ToolCallReply

KEY = "sk-test-office-0123456789"
TRACE = "Trace the call sequence from main() to process_data() in examples/sample_app"

DECOMPOSITION = {
    "subtasks": [
        {
            "id": "s1",
            "description": "Trace the calls from main() to process_data()",
            "tool_hints": ["trace_calls"],
        }
    ]
}
PLAN = {
    "steps": [
        {
            "id": "trace",
            "tool": "trace_calls",
            "inputs": {"root": "examples/sample_app", "start": "main", "end": "process_data"},
        }
    ],
    "confidence": 0.9,
}
REVISED_PLAN = {
    "steps": [
        {
            "id": "trace",
            "tool": "trace_calls",
            "inputs": PLAN["steps"][0]["inputs"] | {"max_paths": 1},
        }
    ]  # type: ignore[index]
}
APPROVE = {
    "decision": "APPROVE",
    "answer": "main() -> Pipeline.run() -> Pipeline._stage() -> process_data()",
    "completeness": 1,
    "accuracy": 1,
    "quality": 0.9,
}


def config(tmp_path: Path, server: ScriptedLLMServer, **extra: Any) -> Path:
    body = {
        "llm": {
            "providers": {
                "local": {
                    "kind": "openai",
                    "base_url": server.base_url,
                    "api_key_env": "LOCAL_LLM_KEY",
                    "timeout_seconds": 10,
                }
            },
            "tiers": {"default": ["local:gpt-4o-mini"]},
        },
        **extra,
    }
    path = tmp_path / "office.yaml"
    path.write_text(json.dumps(body))  # JSON is YAML
    return path


def script_success(server: ScriptedLLMServer) -> None:
    server.script(
        ToolCallReply("final_result", DECOMPOSITION),
        ToolCallReply("final_result", PLAN),
        ToolCallReply("final_result", {"problems": []}),
        ToolCallReply("final_result", APPROVE),
    )


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'office.db'}"
    monkeypatch.setenv("OFFICE_DATABASE_URL", url)
    monkeypatch.setenv("OFFICE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOCAL_LLM_KEY", KEY)
    return url


def test_office_run_is_planned_by_the_model_end_to_end(
    database: str,
    tmp_path: Path,
    openai_server: ScriptedLLMServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    script_success(openai_server)
    settings = config(tmp_path, openai_server)

    code, out, err = office(
        ["run", TRACE, "--workspace", str(REPO), "--config", str(settings), "--json"],
        capsys,
        monkeypatch,
    )

    assert code == 0, err
    body = json.loads(out)
    assert body["result"]["status"] == "completed"
    assert body["result"]["answer"] == APPROVE["answer"]
    plan = body["result"]["subtasks"]["s1"]["iterations"][0]["plan"]
    assert plan["metadata"]["model_used"] == "local:gpt-4o-mini"
    # Four model calls, in order: decompose, plan, check the plan, review.
    prompts = [json.dumps(request) for request in openai_server.requests]
    assert len(prompts) == 4
    assert "split a user's task" in prompts[0] and "plan one subtask" in prompts[1]
    assert "review a plan before it runs" in prompts[2] and "review the result" in prompts[3]
    # The reviewer saw the real tool's output: the trace of the sample app.
    assert "Pipeline._stage" in prompts[3]

    store = Store.open(database)
    try:
        calls = store.llm_calls.for_task(body["task_id"])
        assert [c.agent for c in calls] == ["decomposer", "planner", "validator", "reviewer"]
        events = [e.type for e in store.events.read(body["task_id"])]
        assert events.count("llm.called") == 4
        text = json.dumps([e.payload for e in store.events.read(body["task_id"])])
        assert KEY not in text
    finally:
        store.close()

    code, out, _ = office(["costs", "--by", "agent", "--json"], capsys, monkeypatch)
    assert code == 0
    rows = {row["key"]: row for row in json.loads(out)}
    assert set(rows) == {"decomposer", "planner", "validator", "reviewer"}
    assert all(row["cost_usd"] > 0 for row in rows.values())


def test_a_semantic_objection_sends_the_plan_back(
    database: str,
    tmp_path: Path,
    openai_server: ScriptedLLMServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    openai_server.script(
        ToolCallReply("final_result", DECOMPOSITION),
        ToolCallReply("final_result", PLAN),
        ToolCallReply("final_result", {"problems": ["ask for one path only"]}),
        ToolCallReply("final_result", REVISED_PLAN),
        ToolCallReply("final_result", {"problems": []}),
        ToolCallReply("final_result", APPROVE),
    )

    code, out, err = office(
        ["run", TRACE, "--workspace", str(REPO), "--config", str(config(tmp_path, openai_server))],
        capsys,
        monkeypatch,
    )

    assert code == 0, err
    assert "ask for one path only" in json.dumps(openai_server.requests[3])
    assert "model calls 6" in out  # the run ends with what the models cost
    assert "max_paths" in json.dumps(openai_server.requests[4])  # the revised plan


def service_for(tmp_path: Path, server: ScriptedLLMServer, database: str) -> Office:
    settings = load_settings(config(tmp_path, server), database_url=database)
    store = Store.open(database)
    return Office.from_settings(settings, store)


async def test_a_budget_stops_the_task_at_its_limit(
    database: str, tmp_path: Path, openai_server: ScriptedLLMServer
) -> None:
    openai_server.script(
        ToolCallReply("final_result", DECOMPOSITION, input_tokens=900, output_tokens=100)
    )
    service = service_for(tmp_path, openai_server, database)
    worker = service.worker()
    task = new_task(TRACE, workspace=REPO, max_tokens=1000)
    _, run = service.submit(worker, task)

    result = await worker.run(run.run_id)

    assert result.result is not None and result.result["status"] == TaskStatus.DEAD_LETTERED
    (letter,) = service.store.dead_letters.recent()
    assert letter.category == "resource"
    assert "1000 of 1000 tokens" in letter.reason
    assert len(openai_server.requests) == 1  # the planner made no call past the limit
    service.store.close()


async def test_a_nearly_spent_budget_waits_for_approval_then_finishes(
    database: str,
    tmp_path: Path,
    openai_server: ScriptedLLMServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    openai_server.script(
        ToolCallReply("final_result", DECOMPOSITION, input_tokens=900, output_tokens=50),
        ToolCallReply("final_result", PLAN),
        ToolCallReply("final_result", {"problems": []}),
        ToolCallReply("final_result", APPROVE),
    )
    service = service_for(tmp_path, openai_server, database)
    worker = service.worker()
    task = new_task(TRACE, workspace=REPO, max_tokens=1000)
    _, run = service.submit(worker, task)
    running = asyncio.create_task(worker.run(run.run_id))

    pending = []
    for _ in range(200):
        pending = service.store.approvals.list(task_id=task.task_id)
        if pending:
            break
        await asyncio.sleep(0.05)
    assert len(pending) == 1 and "95% spent" in pending[0].subject
    assert len(openai_server.requests) == 1  # the planner waits: no call yet
    code, out, _ = office(["approve", pending[0].id], capsys, monkeypatch)
    assert code == 0

    result = await asyncio.wait_for(running, timeout=30)

    assert result.result is not None and result.result["status"] == TaskStatus.COMPLETED
    types = [e.type for e in service.store.events.read(task.task_id)]
    assert types.index("approval.requested") < types.index("approval.decided")
    assert "budget.warning" in types
    service.store.close()


@pytest.mark.parametrize(
    ("llm", "message"),
    [
        (
            {"providers": {}, "tiers": {"default": ["nowhere:gpt-4o"]}},
            "setting llm: tier default: unknown provider 'nowhere'",
        ),
        (
            {"providers": {"x": {"kind": "cohere"}}},
            "setting llm.providers.x.kind",
        ),
        (
            {"tiers": {"planner": ["gpt-4o"]}},
            "is not provider:model",
        ),
    ],
)
def test_bad_llm_settings_fail_at_start_with_one_line(
    tmp_path: Path, llm: dict[str, Any], message: str
) -> None:
    path = tmp_path / "office.yaml"
    path.write_text(json.dumps({"llm": llm}))

    with pytest.raises(ConfigError) as raised:
        load_settings(path)

    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_a_missing_key_or_malformed_yaml_stops_office_run_with_one_line(
    database: str,
    tmp_path: Path,
    openai_server: ScriptedLLMServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LOCAL_LLM_KEY")
    settings = config(tmp_path, openai_server)
    code, _, err = office(["run", TRACE, "--config", str(settings)], capsys, monkeypatch)
    assert code == 2
    assert err.strip().splitlines() == [
        "office: provider local: environment variable LOCAL_LLM_KEY is not set; export the key"
        " there (or set llm.providers.local.no_key: true for a local server that needs none)"
    ]

    settings.write_text("llm: [unclosed\n")
    code, _, err = office(["run", TRACE, "--config", str(settings)], capsys, monkeypatch)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "not valid YAML" in err
    assert openai_server.requests == []


CYCLIC_PLAN = {
    "steps": [
        {"id": "a", "tool": "calculate", "inputs": {"expression": "1+1"}, "dependencies": ["b"]},
        {"id": "b", "tool": "calculate", "inputs": {"expression": "2+2"}, "dependencies": ["a"]},
    ],
    "confidence": 0.9,
}


def test_a_cyclic_plan_from_the_model_goes_back_to_it_naming_the_cycle(
    database: str,
    tmp_path: Path,
    openai_server: ScriptedLLMServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    openai_server.script(
        ToolCallReply("final_result", DECOMPOSITION),
        ToolCallReply("final_result", CYCLIC_PLAN),
        ToolCallReply("final_result", PLAN),
        ToolCallReply("final_result", {"problems": []}),
        ToolCallReply("final_result", APPROVE),
    )

    code, _, err = office(
        ["run", TRACE, "--workspace", str(REPO), "--config", str(config(tmp_path, openai_server))],
        capsys,
        monkeypatch,
    )

    assert code == 0, err
    # The planner heard why: its retry request carries the validation error with the cycle.
    assert "cycle: a -> b -> a" in json.dumps(openai_server.requests[2])
