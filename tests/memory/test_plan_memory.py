"""Plan memory in the Office loop: remembered outcomes, recall, and plan reuse.

The LLM test counts the planner's calls on a real OpenAI-compatible server on 127.0.0.1:
the repeated task makes none.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from intelligent_office.front_door import Office
from intelligent_office.llm.prompts import PLAN
from intelligent_office.memory.embeddings import LocalMiniLM
from intelligent_office.memory.items import ItemKind
from intelligent_office.office import OfficeOutput, TaskStatus
from intelligent_office.settings import load_settings
from intelligent_office.store import Store
from intelligent_office.task_input import new_task
from tests.cli.test_cli import REPO
from tests.llm.servers import ScriptedLLMServer, ToolCallReply
from tests.llm.test_llm_office import APPROVE, DECOMPOSITION, KEY, TRACE
from tests.llm.test_llm_office import PLAN as PLAN_REPLY


def llm_settings_file(tmp_path: Path, server: ScriptedLLMServer, **memory: Any) -> Path:
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
            "cache_ttl_seconds": 0,  # every call reaches the server, so it can be counted
        },
        "memory": memory,
    }
    path = tmp_path / "office.yaml"
    path.write_text(json.dumps(body))
    return path


def planner_calls(server: ScriptedLLMServer) -> int:
    return sum(PLAN.system[:40] in json.dumps(request) for request in server.requests)


async def run(service: Office, description: str, workspace: Path) -> tuple[str, OfficeOutput]:
    worker = service.worker()
    record, submitted = service.submit(worker, new_task(description, workspace=workspace))
    finished = await worker.run(submitted.run_id)
    assert finished.result is not None, finished.error
    return record.task_id, OfficeOutput.model_validate(finished.result)


def events(store: Store, task_id: str, kind: str) -> list[dict[str, Any]]:
    return [dict(e.payload) for e in store.events.read(task_id) if e.type == kind]


async def test_a_repeated_task_reuses_its_stored_plan_with_no_planner_call(
    tmp_path: Path,
    openai_server: ScriptedLLMServer,
    minilm: LocalMiniLM,
    monkeypatch: Any,
) -> None:
    monkeypatch.setenv("LOCAL_LLM_KEY", KEY)
    database = f"sqlite:///{tmp_path / 'office.db'}"
    settings = load_settings(llm_settings_file(tmp_path, openai_server), database_url=database)
    store = Store.open(database)
    service = Office.from_settings(settings, store, memory_embedder=minilm)
    openai_server.script(
        ToolCallReply("final_result", DECOMPOSITION),
        ToolCallReply("final_result", PLAN_REPLY),
        ToolCallReply("final_result", {"problems": []}),
        ToolCallReply("final_result", APPROVE),
    )
    first_id, first = await run(service, TRACE, REPO)
    assert first.status is TaskStatus.COMPLETED
    assert planner_calls(openai_server) == 1
    assert service.memory is not None
    stored = store.tasks.get(first_id)
    assert stored is not None
    owner = stored.user_id
    remembered = service.memory.search.items.by_source(owner, ItemKind.PLAN, f"task/{first_id}/s1")
    assert len(remembered) == 1 and remembered[0].data["outcome"] == "success"
    assert remembered[0].data["cost_usd"] > 0 and remembered[0].data["duration_seconds"] > 0
    assert remembered[0].data["review"]["decision"] == "APPROVE"

    # The second run: decomposer, validator and reviewer are asked; the planner is not.
    before = len(openai_server.requests)
    openai_server.script(
        ToolCallReply("final_result", DECOMPOSITION),
        ToolCallReply("final_result", {"problems": []}),
        ToolCallReply("final_result", APPROVE),
    )
    second_id, second = await run(service, TRACE, REPO)

    assert second.status is TaskStatus.COMPLETED
    assert planner_calls(openai_server) == 1  # still only the first run's call
    assert len(openai_server.requests) - before == 3 and openai_server.unused_replies == 0
    plan = second.subtasks["s1"].iterations[0].plan
    assert plan is not None and plan.metadata.model_used == "memory"
    original = first.subtasks["s1"].iterations[0].plan
    assert original is not None
    assert [(s.action, s.inputs) for s in plan.steps] == [
        (s.action, s.inputs) for s in original.steps
    ]
    (reused,) = events(store, second_id, "plan.reused")
    assert reused["source"]["task_id"] == first_id
    assert reused["source"]["similarity"] >= settings.memory.reuse_threshold
    assert [c.agent for c in store.llm_calls.for_task(second_id)] == [
        "decomposer",
        "validator",
        "reviewer",
    ]
    store.close()


FAIL_REVIEW = {
    "decision": "FAIL",
    "feedback": "traced the wrong root: the app lives in examples/sample_app/app",
    "completeness": 0,
    "accuracy": 0,
    "quality": 0,
}


async def test_the_llm_planner_sees_similar_past_failures_with_their_reviews(
    tmp_path: Path,
    openai_server: ScriptedLLMServer,
    minilm: LocalMiniLM,
    monkeypatch: Any,
) -> None:
    monkeypatch.setenv("LOCAL_LLM_KEY", KEY)
    database = f"sqlite:///{tmp_path / 'office.db'}"
    settings = load_settings(llm_settings_file(tmp_path, openai_server), database_url=database)
    store = Store.open(database)
    service = Office.from_settings(settings, store, memory_embedder=minilm)
    openai_server.script(
        ToolCallReply("final_result", DECOMPOSITION),
        ToolCallReply("final_result", PLAN_REPLY),
        ToolCallReply("final_result", {"problems": []}),
        ToolCallReply("final_result", FAIL_REVIEW),
    )
    _, first = await run(service, TRACE, REPO)
    assert first.status is TaskStatus.DEAD_LETTERED

    openai_server.script(
        ToolCallReply("final_result", DECOMPOSITION),
        ToolCallReply("final_result", PLAN_REPLY),
        ToolCallReply("final_result", {"problems": []}),
        ToolCallReply("final_result", APPROVE),
    )
    second_id, second = await run(service, TRACE, REPO)

    assert second.status is TaskStatus.COMPLETED  # a failed plan is never reused
    assert planner_calls(openai_server) == 2
    (prompt,) = [r for r in openai_server.requests[4:] if PLAN.system[:40] in json.dumps(r)]
    context = json.loads(prompt["messages"][-1]["content"])
    (failure,) = context["similar_past_failures"]
    assert failure["review"] == FAIL_REVIEW["feedback"]
    assert failure["steps"][0]["tool"] == "trace_calls" and failure["similarity"] > 0.9
    assert "similar_past_successes" not in context
    plan = second.subtasks["s1"].iterations[0].plan
    assert plan is not None and plan.metadata.context_sources[0].startswith("plan:")
    assert not events(store, second_id, "plan.reused")
    store.close()
