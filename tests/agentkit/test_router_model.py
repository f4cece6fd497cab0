"""Agents answered through the LLM router by a scripted OpenAI-compatible server over HTTP:
tokens and cost are booked, a 429 leaves the agent RATE_LIMITED, a spent workflow budget
leaves the next agent BUDGET_EXCEEDED."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from intelligent_office import Office
from intelligent_office.agentkit import (
    Agent,
    AgentState,
    RouterModel,
    RunStatus,
    Workflow,
    WorkflowBudget,
)
from intelligent_office.llm.config import (
    BudgetSettings,
    LLMSettings,
    ModelPrice,
    ProviderSettings,
    Tier,
)
from intelligent_office.llm.router import LLMRouter
from intelligent_office.store import Store
from tests.llm.servers import OPENAI_CHAT, ErrorReply, ScriptedLLMServer, TextReply


@pytest.fixture
def server() -> Iterator[ScriptedLLMServer]:
    with ScriptedLLMServer(OPENAI_CHAT) as running:
        yield running


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(f"sqlite:///{tmp_path / 'office.db'}")
    yield opened
    opened.close()


def router(store: Store, server: ScriptedLLMServer) -> LLMRouter:
    settings = LLMSettings(
        providers={
            "local": ProviderSettings(
                kind="openai", base_url=server.base_url, no_key=True, timeout_seconds=5
            )
        },
        tiers={Tier.DEFAULT: ["local:gpt-4o-mini"]},
        cache_ttl_seconds=0,
        prices={"gpt-4o-mini": ModelPrice(input_per_mtok=1000, output_per_mtok=1000)},
    )
    return LLMRouter(settings, BudgetSettings(), store, environ={})


def chain(**fields: object) -> Workflow:
    return Workflow.model_validate(
        {
            "name": "chain",
            "input": "Topic: tides",
            "agents": [
                Agent(name="research", max_retries=0),
                Agent(name="write", dependencies=("research",), max_retries=0),
            ],
            **fields,
        }
    )


async def test_router_answers_and_books_tokens_and_cost(
    store: Store, server: ScriptedLLMServer
) -> None:
    server.script(TextReply("Tides follow the moon."), TextReply("A note on tides."))

    run = await Office(model=RouterModel(router(store, server))).run_workflow(chain())

    assert run.status is RunStatus.COMPLETED
    assert run.output == "A note on tides."
    assert run.agents["research"].input_tokens == 11
    assert run.agents["write"].cost_usd == pytest.approx(0.018)
    # The writer saw the researcher's answer as context, over real HTTP.
    assert "Tides follow the moon." in str(server.requests[1]["messages"])
    by_agent = {row.key: row for row in store.llm_calls.summary("agent")}
    assert by_agent["research"].calls == 1 and by_agent["write"].cost_usd == pytest.approx(0.018)


async def test_a_429_leaves_the_agent_rate_limited(store: Store, server: ScriptedLLMServer) -> None:
    server.script(ErrorReply(429, "slow down"))

    run = await Office(model=RouterModel(router(store, server))).run_workflow(chain())

    assert run.status is RunStatus.FAILED
    assert run.agents["research"].state is AgentState.RATE_LIMITED
    assert run.agents["write"].state is AgentState.SKIPPED


async def test_a_spent_workflow_budget_stops_the_next_agent(
    store: Store, server: ScriptedLLMServer
) -> None:
    server.script(TextReply("Tides follow the moon."))

    run = await Office(model=RouterModel(router(store, server))).run_workflow(
        chain(budget=WorkflowBudget(max_cost_usd=0.01))
    )

    assert run.agents["research"].state is AgentState.COMPLETED
    assert run.agents["write"].state is AgentState.BUDGET_EXCEEDED
    assert run.failure is not None and "workflow budget of $0.01 is spent" in run.failure
    assert len(server.requests) == 1
