"""A task's trace: one trace per task, the run, its subtasks, agents, tools and LLM calls."""

from __future__ import annotations

from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from pydantic import BaseModel

from intelligent_office.errors import ToolError
from intelligent_office.llm.budget import CallScope
from intelligent_office.llm.config import BudgetSettings, LLMSettings, ProviderSettings, Tier
from intelligent_office.llm.prompts import PLAN
from intelligent_office.llm.router import LLMRouter
from intelligent_office.observability import Telemetry, trace_id_for
from intelligent_office.store import Store
from tests.llm.servers import OPENAI_CHAT, ScriptedLLMServer, ToolCallReply
from tests.observability.conftest import Traced


def children(spans: list[ReadableSpan], parent: ReadableSpan) -> list[ReadableSpan]:
    return [s for s in spans if s.parent is not None and s.parent.span_id == parent.context.span_id]


def only(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    found = [s for s in spans if s.name == name]
    assert len(found) == 1, f"{len(found)} spans named {name}: {[s.name for s in spans]}"
    return found[0]


async def test_a_task_is_one_trace_of_run_subtask_agent_and_tool_spans(traced: Traced) -> None:
    task = await traced.run()
    assert task.status == "completed"
    spans = traced.spans()

    # One trace, whose id is derived from the task's and stored on it.
    assert {s.context.trace_id for s in spans} == {trace_id_for(task.task_id)}
    assert task.trace_id == f"{trace_id_for(task.task_id):032x}"

    run = only(spans, "office.run")
    assert run.attributes is not None
    assert run.attributes["task.id"] == task.task_id
    assert run.attributes["workflow.name"] == "office.task"
    assert run.attributes["workflow.id"] == run.attributes["run.id"]
    assert run.attributes["run.status"] == "completed"
    top = {s.name for s in children(spans, run)}
    assert {"agent.decomposer", "office.subtask", "agent.synthesizer"} <= top

    subtask = only(spans, "office.subtask")
    assert subtask.attributes == {
        "subtask.id": "s1",
        "task.id": task.task_id,
        "subtask.status": "completed",
    }
    agents = {s.name: s for s in children(spans, subtask)}
    assert {"agent.planner", "agent.validator", "agent.executor", "agent.reviewer"} <= set(agents)
    for name in ("planner", "validator", "executor", "reviewer"):
        attributes = agents[f"agent.{name}"].attributes or {}
        assert attributes["agent.id"] == name and attributes["subtask.id"] == "s1"

    (tool,) = children(spans, agents["agent.executor"])
    assert tool.name == "tool.call"
    attributes = tool.attributes or {}
    assert attributes["tool.name"] == "trace_calls"
    assert attributes["tool.success"] is True
    assert float(str(attributes["tool.duration_seconds"])) > 0
    # Spans nest in time as in structure.
    assert run.start_time is not None and run.end_time is not None
    for span in spans:
        assert span.start_time is not None and span.end_time is not None
        assert run.start_time <= span.start_time <= span.end_time <= run.end_time


async def test_another_run_of_the_same_task_in_another_process_joins_its_trace() -> None:
    # Two processes: two providers that share nothing but the task id.
    task_id = "3f0c9d6e2b8a4c1d9e7f5a3b1c0d2e4f"
    ids = []
    for run_id in ("first-run", "resumed-run"):
        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace = Telemetry.with_provider(provider).run_trace(
            task_id=task_id, run_id=run_id, workflow="office.task"
        )
        trace.finish("completed")
        (span,) = exporter.get_finished_spans()
        ids.append(span.context.trace_id)
    assert ids == [int(task_id, 16), int(task_id, 16)]
    # An id that is not hex still gets a stable, non-zero trace id.
    assert trace_id_for("task-1") == trace_id_for("task-1") != 0


async def test_a_failing_tool_call_is_an_error_span_with_its_error_type(traced: Traced) -> None:
    with pytest.raises(ToolError):
        with traced.telemetry.tool_call("http_get", step_id="fetch"):
            raise ToolError("http_get: host not allowed")
    (span,) = traced.spans()
    assert span.attributes is not None
    assert span.attributes["tool.name"] == "http_get"
    assert span.attributes["tool.success"] is False
    assert span.attributes["error.type"] == "ToolError"
    assert span.status.status_code is StatusCode.ERROR
    registry = traced.telemetry.metrics.registry
    labels = {"tool": "http_get", "outcome": "error"}
    assert registry.get_sample_value("office_tool_calls_total", labels) == 1


class City(BaseModel):
    name: str
    country: str


async def test_llm_calls_are_spans_with_model_tokens_cost_and_cache_hit(
    traced: Traced, tmp_path: Path
) -> None:
    store: Store = traced.store
    store.tasks.create(task_id="t-llm", user_id="alice", description="route", body={})
    with ScriptedLLMServer(OPENAI_CHAT) as server:
        server.script(
            ToolCallReply("final_result", {"name": "Paris", "country": "France"}, 1000, 200)
        )
        settings = LLMSettings(
            providers={
                "main": ProviderSettings(
                    kind="openai",
                    base_url=server.base_url,
                    api_key_env="TEST_LLM_KEY",
                    timeout_seconds=5,
                    max_tokens=256,
                )
            },
            tiers={Tier.DEFAULT: ["main:gpt-4o-mini"]},
            cache_ttl_seconds=600,
        )
        router = LLMRouter(
            settings,
            BudgetSettings(),
            store,
            environ={"TEST_LLM_KEY": "sk-test-0123456789abcdef"},
            telemetry=traced.telemetry,
        )
        scope = CallScope(agent="planner", task_id="t-llm", subtask_id="s1")
        tracer = traced.telemetry.tracer
        with tracer.start_as_current_span("agent.planner"):
            await router.run(Tier.PLANNER, PLAN, "Capital of France?", City, scope)
            await router.run(Tier.PLANNER, PLAN, "Capital of France?", City, scope)  # cached

    spans = traced.spans()
    parent = only(spans, "agent.planner")
    calls = children(spans, parent)
    assert [s.name for s in calls] == ["llm.call", "llm.call"]
    answered, cached = (s.attributes or {} for s in calls)
    assert answered["agent.model"] == "main:gpt-4o-mini"
    assert answered["agent.id"] == "planner" and answered["llm.tier"] == "planner"
    assert (answered["llm.input_tokens"], answered["llm.output_tokens"]) == (1000, 200)
    assert float(str(answered["llm.cost_usd"])) > 0
    assert answered["llm.cache_hit"] is False
    assert cached["llm.cache_hit"] is True and cached["llm.input_tokens"] == 0

    sample = traced.telemetry.metrics.registry.get_sample_value
    model = {"model": "main:gpt-4o-mini", "tier": "planner"}
    assert sample("office_llm_tokens_total", model | {"direction": "input"}) == 1000
    assert sample("office_llm_calls_total", model | {"outcome": "cache_hit"}) == 1
    assert sample("office_llm_latency_seconds_count", model) == 1
