"""The router drives the real pydantic-ai OpenAI and Anthropic clients against scripted servers.

Success, fallback on 429 / 500 / timeouts, re-asking on invalid output, the circuit
breaker, rate limits under concurrency, the response cache, budgets, and keys that never
leak.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from intelligent_office.errors import (
    BudgetApprovalRequired,
    BudgetExceeded,
    ModelUnavailable,
    ToolError,
)
from intelligent_office.llm.budget import CallScope
from intelligent_office.llm.config import (
    Budget,
    BudgetSettings,
    LLMSettings,
    ModelPrice,
    ProviderSettings,
    Tier,
)
from intelligent_office.llm.prompts import PLAN
from intelligent_office.llm.router import LLMRouter
from intelligent_office.store import Store
from intelligent_office.tools.ai_tool import ai_tool
from intelligent_office.tools.base import ToolContext
from tests.llm.servers import ErrorReply, ScriptedLLMServer, TextReply, ToolCallReply

KEY = "sk-test-SUPERSECRET-0123456789abcdef"
OPENAI_MODEL = "gpt-4o-mini"
ANTHROPIC_MODEL = "claude-haiku-4-5"
TASK_ID = "task-router-1"


class City(BaseModel):
    name: str
    country: str


PARIS = {"name": "Paris", "country": "France"}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(f"sqlite:///{tmp_path / 'office.db'}")
    opened.tasks.create(task_id=TASK_ID, user_id="alice", description="route", priority=5, body={})
    yield opened
    opened.close()


def provider(server: ScriptedLLMServer, **overrides: Any) -> ProviderSettings:
    kind = "anthropic" if server.wire.name == "anthropic" else "openai"
    values: dict[str, Any] = {
        "kind": kind,
        "base_url": server.base_url,
        "api_key_env": "TEST_LLM_KEY",
        "timeout_seconds": 5,
        "max_tokens": 256,
    }
    return ProviderSettings(**(values | overrides))


def model_of(server: ScriptedLLMServer) -> str:
    return ANTHROPIC_MODEL if server.wire.name == "anthropic" else OPENAI_MODEL


def make_router(
    store: Store,
    servers: dict[str, ScriptedLLMServer],
    *,
    overrides: dict[str, dict[str, Any]] | None = None,
    budgets: BudgetSettings | None = None,
    clock: FakeClock | None = None,
    **llm: Any,
) -> LLMRouter:
    overrides = overrides or {}
    settings = LLMSettings(
        providers={name: provider(s, **overrides.get(name, {})) for name, s in servers.items()},
        tiers={Tier.DEFAULT: [f"{name}:{model_of(s)}" for name, s in servers.items()]},
        **({"cache_ttl_seconds": 0} | llm),
    )
    extra = {"clock": clock} if clock else {}
    return LLMRouter(
        settings, budgets or BudgetSettings(), store, environ={"TEST_LLM_KEY": KEY}, **extra
    )


def scope(agent: str = "planner") -> CallScope:
    return CallScope(agent=agent, task_id=TASK_ID, subtask_id="s1")


async def ask(router: LLMRouter, question: str = "Capital of France?") -> Any:
    return await router.run(Tier.PLANNER, PLAN, question, City, scope())


@pytest.fixture(params=["openai", "anthropic"])
def vendor(request: pytest.FixtureRequest) -> ScriptedLLMServer:
    server: ScriptedLLMServer = request.getfixturevalue(f"{request.param}_server")
    return server


async def test_success_returns_validated_output_with_tokens_cost_and_an_event(
    store: Store, vendor: ScriptedLLMServer
) -> None:
    vendor.script(ToolCallReply("final_result", PARIS, input_tokens=1000, output_tokens=200))
    router = make_router(store, {"main": vendor})

    reply = await ask(router)

    assert reply.output == City(**PARIS) and not reply.cache_hit
    assert (reply.input_tokens, reply.output_tokens) == (1000, 200)
    assert reply.cost_usd > 0  # priced by genai-prices
    (call,) = store.llm_calls.for_task(TASK_ID)
    assert (call.agent, call.tier, call.model, call.ok) == (
        "planner",
        "planner",
        model_of(vendor),
        True,
    )
    assert (call.prompt_id, call.prompt_version) == (PLAN.id, PLAN.version)
    (event,) = [e for e in store.events.read(TASK_ID) if e.type == "llm.called"]
    assert event.payload["prompt"] == PLAN.label and event.payload["input_tokens"] == 1000
    assert event.payload["cost_usd"] == pytest.approx(reply.cost_usd)
    # The system prompt went to the server as instructions.
    assert "plan one subtask" in json.dumps(vendor.requests[0])


async def test_a_configured_price_overrides_genai_prices(
    store: Store, openai_server: ScriptedLLMServer
) -> None:
    openai_server.script(ToolCallReply("final_result", PARIS, input_tokens=1000, output_tokens=0))
    price = ModelPrice(input_per_mtok=2.0, output_per_mtok=8.0)
    router = make_router(store, {"main": openai_server}, prices={OPENAI_MODEL: price})

    reply = await ask(router)

    assert reply.cost_usd == pytest.approx(1000 * 2.0 / 1_000_000)


@pytest.mark.parametrize("status", [429, 500])
async def test_an_http_error_falls_back_to_the_next_provider(
    store: Store,
    openai_server: ScriptedLLMServer,
    anthropic_server: ScriptedLLMServer,
    status: int,
) -> None:
    openai_server.script(ErrorReply(status, retry_after_s=1 if status == 429 else None))
    anthropic_server.script(ToolCallReply("final_result", PARIS))
    router = make_router(store, {"first": openai_server, "second": anthropic_server})

    reply = await ask(router)

    assert reply.output.name == "Paris" and str(reply.model) == f"second:{ANTHROPIC_MODEL}"
    assert len(openai_server.requests) == 1  # no SDK retry: the router moved on at once
    failed, answered = store.llm_calls.for_task(TASK_ID)
    assert not failed.ok and f"HTTP {status}" in (failed.error or "")
    assert answered.ok and answered.provider == "second"
    types = [e.type for e in store.events.read(TASK_ID)]
    assert types == ["llm.failed", "llm.called"]


async def test_invalid_output_is_sent_back_and_the_retry_is_used(
    store: Store, vendor: ScriptedLLMServer
) -> None:
    vendor.script(
        ToolCallReply("final_result", {"name": "Paris"}),  # no country: invalid
        ToolCallReply("final_result", PARIS),
    )
    router = make_router(store, {"main": vendor})

    reply = await ask(router)

    assert reply.output == City(**PARIS)
    assert len(vendor.requests) == 2
    assert "country" in json.dumps(vendor.requests[1])  # the validation error went back


async def test_output_invalid_after_every_retry_falls_back(
    store: Store, openai_server: ScriptedLLMServer, anthropic_server: ScriptedLLMServer
) -> None:
    openai_server.script(*[ToolCallReply("final_result", {"name": "Paris"})] * 2)
    anthropic_server.script(ToolCallReply("final_result", PARIS))
    router = make_router(
        store, {"first": openai_server, "second": anthropic_server}, output_retries=1
    )

    reply = await ask(router)

    assert reply.model.provider == "second"
    (failed, _) = store.llm_calls.for_task(TASK_ID)
    assert "invalid output" in (failed.error or "")
    assert failed.input_tokens > 0  # the rejected answers' tokens are still counted


async def test_a_slow_provider_times_out_and_the_next_answers(
    store: Store, anthropic_server: ScriptedLLMServer, openai_server: ScriptedLLMServer
) -> None:
    anthropic_server.script(ToolCallReply("final_result", PARIS, delay_s=3))
    openai_server.script(ToolCallReply("final_result", PARIS))
    router = make_router(
        store,
        {"slow": anthropic_server, "fast": openai_server},
        overrides={"slow": {"timeout_seconds": 0.3}},
    )

    reply = await ask(router)

    assert reply.model.provider == "fast"
    (failed, _) = store.llm_calls.for_task(TASK_ID)
    assert failed.error == "no answer within 0.3 s"


async def test_when_every_model_fails_the_error_lists_each_reason(
    store: Store, openai_server: ScriptedLLMServer, anthropic_server: ScriptedLLMServer
) -> None:
    openai_server.script(ErrorReply(500))
    anthropic_server.script(ErrorReply(429))
    router = make_router(store, {"a": openai_server, "b": anthropic_server})

    with pytest.raises(ModelUnavailable) as raised:
        await ask(router)

    message = str(raised.value)
    assert "no model of tier planner answered" in message
    assert f"a:{OPENAI_MODEL}: HTTP 500" in message and f"b:{ANTHROPIC_MODEL}: HTTP 429" in message


async def test_the_circuit_opens_after_failures_and_recovers_after_the_cool_down(
    store: Store, openai_server: ScriptedLLMServer, anthropic_server: ScriptedLLMServer
) -> None:
    clock = FakeClock()
    breaker = {"circuit_breaker": {"failure_threshold": 2, "cooldown_seconds": 30}}
    router = make_router(
        store,
        {"flaky": openai_server, "backup": anthropic_server},
        overrides={"flaky": breaker},
        clock=clock,
    )
    openai_server.script(ErrorReply(500), ErrorReply(500))
    anthropic_server.script(*[ToolCallReply("final_result", PARIS)] * 3)

    await ask(router)
    await ask(router)  # the second failure opens the circuit
    assert router.breakers["flaky"].state == "open"

    reply = await ask(router)
    assert reply.model.provider == "backup"
    assert len(openai_server.requests) == 2  # while open, the flaky provider is not called

    clock.now += 31  # the cool-down passes: one trial call goes through, and succeeds
    openai_server.script(ToolCallReply("final_result", PARIS))
    reply = await ask(router)
    assert reply.model.provider == "flaky" and len(openai_server.requests) == 3
    assert router.breakers["flaky"].state == "closed"


async def test_rate_limits_hold_for_concurrent_callers(
    store: Store, openai_server: ScriptedLLMServer
) -> None:
    limits = {"requests_per_minute": 600, "burst": 2, "concurrent_requests": 2}
    router = make_router(
        store, {"main": openai_server}, overrides={"main": {"rate_limits": limits}}
    )
    callers = 12
    openai_server.script(*[ToolCallReply("final_result", PARIS, delay_s=0.05)] * callers)

    await asyncio.gather(*(ask(router, f"question {n}") for n in range(callers)))

    arrivals = sorted(openai_server.arrivals)
    assert len(arrivals) == callers
    # 600 a minute is 10 a second after a burst of 2: any window of t seconds holds at most
    # 2 + 10 t requests. The limiter paces when calls start; the server sees them a network
    # hop later (the first one also sets up a connection), hence 0.1 s of slack.
    for i, start in enumerate(arrivals):
        for j in range(i, len(arrivals)):
            window = arrivals[j] - start
            assert j - i + 1 <= 2 + 10 * (window + 0.1), (i, j, window)
    assert arrivals[-1] - arrivals[0] >= (callers - 2) / 10 - 0.1  # the same 0.1 s of slack
    assert openai_server.max_in_flight <= 2


async def test_a_caller_that_would_wait_too_long_fails_clearly(
    store: Store, openai_server: ScriptedLLMServer
) -> None:
    limits = {"requests_per_minute": 1, "wait_timeout_seconds": 0.1}
    router = make_router(
        store, {"main": openai_server}, overrides={"main": {"rate_limits": limits}}
    )
    openai_server.script(ToolCallReply("final_result", PARIS))
    await ask(router)

    with pytest.raises(ModelUnavailable, match="requests_per_minute=1"):
        await ask(router)
    assert len(openai_server.requests) == 1


async def test_a_cache_hit_makes_no_call(store: Store, vendor: ScriptedLLMServer) -> None:
    vendor.script(ToolCallReply("final_result", PARIS))
    router = make_router(store, {"main": vendor}, cache_ttl_seconds=60)

    first = await ask(router)
    second = await ask(router)
    other = router.run(Tier.PLANNER, PLAN, "Capital of Italy?", City, scope())

    assert second.output == first.output and second.cache_hit and second.cost_usd == 0
    assert len(vendor.requests) == 1
    with pytest.raises(ModelUnavailable):  # a different prompt is not a hit: it calls (501)
        await other
    calls = store.llm_calls.for_task(TASK_ID)
    assert [c.cache_hit for c in calls] == [False, True, False]


async def test_budget_warns_then_asks_for_approval_then_stops(
    store: Store, openai_server: ScriptedLLMServer
) -> None:
    budgets = BudgetSettings(task=Budget(max_tokens=1000))
    router = make_router(store, {"main": openai_server}, budgets=budgets)
    openai_server.script(
        ToolCallReply("final_result", PARIS, input_tokens=700, output_tokens=50),
        ToolCallReply("final_result", PARIS, input_tokens=300, output_tokens=50),
    )

    await ask(router)  # 750 of 1000 tokens
    await ask(router)  # the check before it only warns (75 %); it takes the total to 1100
    warnings = [e for e in store.events.read(TASK_ID) if e.type == "budget.warning"]
    assert len(warnings) == 1 and warnings[0].payload["budget"] == "task"

    with pytest.raises(BudgetExceeded, match="1100 of 1000 tokens"):
        await ask(router)
    assert len(openai_server.requests) == 2  # exceeded by one call at most, then no call


async def test_budget_past_the_approval_threshold_waits_for_a_human(
    store: Store, openai_server: ScriptedLLMServer
) -> None:
    budgets = BudgetSettings(task=Budget(max_tokens=1000))
    router = make_router(store, {"main": openai_server}, budgets=budgets)
    openai_server.script(
        ToolCallReply("final_result", PARIS, input_tokens=900, output_tokens=20),
        ToolCallReply("final_result", PARIS),
    )
    await ask(router)

    with pytest.raises(BudgetApprovalRequired, match="92% spent"):
        await ask(router)
    store.approvals.request(
        approval_id="a1", task_id=TASK_ID, run_id=None, kind="budget", subject="more", detail={}
    )
    store.approvals.decide("a1", status="approved", by="bob")

    reply = await ask(router)
    assert reply.output.name == "Paris"


async def test_an_agent_budget_applies_to_that_agent_only(
    store: Store, openai_server: ScriptedLLMServer
) -> None:
    budgets = BudgetSettings(agents={"planner": Budget(max_tokens=100)})
    router = make_router(store, {"main": openai_server}, budgets=budgets)
    openai_server.script(*[ToolCallReply("final_result", PARIS, input_tokens=200)] * 2)
    await ask(router)

    with pytest.raises(BudgetExceeded, match="agent planner budget"):
        await ask(router)
    reply = await router.run(Tier.REVIEWER, PLAN, "q", City, scope("reviewer"))
    assert reply.output.name == "Paris"


async def test_the_api_key_never_appears_in_errors_ledger_events_or_logs(
    store: Store, vendor: ScriptedLLMServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    vendor.script(ErrorReply(401, message=f"Incorrect API key provided: {KEY}"))
    router = make_router(store, {"main": vendor})

    with pytest.raises(ModelUnavailable) as raised:
        await ask(router)

    assert (
        vendor.headers[0].get("authorization", vendor.headers[0].get("x-api-key", "")).endswith(KEY)
    ), "the key did reach the server"
    seen = [str(raised.value), caplog.text, repr(router.providers)]
    seen += [json.dumps(e.payload) for e in store.events.read(TASK_ID)]
    seen += [c.error or "" for c in store.llm_calls.for_task(TASK_ID)]
    for text in seen:
        assert KEY not in text and KEY[8:24] not in text
    assert "[redacted]" in str(raised.value)


async def test_ai_tool_classifies_text_through_the_router_and_is_costed_to_the_task(
    store: Store, openai_server: ScriptedLLMServer, tmp_path: Path
) -> None:
    openai_server.script(TextReply("This is a complaint."))
    router = make_router(store, {"main": openai_server})
    classify = ai_tool(router)
    context = ToolContext(workspace=tmp_path, task_id=TASK_ID, subtask_id="s2")

    result = await classify(
        context,
        {
            "operation": "classify",
            "text": "My order never came!",
            "labels": ["praise", "complaint"],
        },
    )

    assert result == {
        "operation": "classify",
        "result": "complaint",
        "model": f"main:{OPENAI_MODEL}",
    }
    assert "My order never came!" in json.dumps(openai_server.requests[0])
    (call,) = store.llm_calls.for_task(TASK_ID)
    assert (call.agent, call.tier, call.subtask_id) == ("ai_tool", "ai_tool", "s2")


async def test_ai_tool_refuses_bad_input_before_any_call(
    store: Store, openai_server: ScriptedLLMServer, tmp_path: Path
) -> None:
    tool = ai_tool(make_router(store, {"main": openai_server}))
    context = ToolContext(workspace=tmp_path, task_id=TASK_ID)

    with pytest.raises(ToolError, match="classify needs labels"):
        await tool(context, {"operation": "classify", "text": "hi"})
    with pytest.raises(ToolError, match="text is empty"):
        await tool(context, {"operation": "summarize", "text": "  "})
    assert openai_server.requests == []
