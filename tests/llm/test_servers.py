"""The real pydantic-ai OpenAI and Anthropic clients against the scripted servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel
from pydantic_ai import Agent
from pydantic_ai.exceptions import ModelRateLimitError, ModelServerError, ModelTimeoutError
from pydantic_ai.models import Model
from pydantic_ai.models.anthropic import AnthropicModel
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.anthropic import AnthropicProvider
from pydantic_ai.providers.openai_compatible import OpenAICompatibleProvider
from pydantic_ai.settings import ModelSettings

from tests.llm.servers import ErrorReply, ScriptedLLMServer, TextReply, ToolCallReply

DUMMY_KEY = "sk-test-not-a-real-key"
# No SDK retries: the router owns retrying. An explicit `max_tokens` keeps Anthropic's SDK
# from switching to streaming for models whose maximum output is large.
SETTINGS = ModelSettings(max_retries=0, max_tokens=1024)


class City(BaseModel):
    name: str
    country: str


@dataclass(frozen=True)
class Vendor:
    """One vendor's scripted server, a model pointed at it, and where its requests keep things."""

    server: ScriptedLLMServer
    model: Model
    prompt_of: Callable[[dict[str, Any]], str]
    tool_names_of: Callable[[dict[str, Any]], list[str]]


def _openai_vendor(server: ScriptedLLMServer) -> Vendor:
    provider = OpenAICompatibleProvider("local", base_url=server.base_url, api_key=DUMMY_KEY)
    return Vendor(
        server,
        OpenAIChatModel("gpt-4o-mini", provider=provider, settings=SETTINGS),
        prompt_of=lambda body: str(body["messages"][-1]["content"]),
        tool_names_of=lambda body: [tool["function"]["name"] for tool in body.get("tools", [])],
    )


def _anthropic_vendor(server: ScriptedLLMServer) -> Vendor:
    provider = AnthropicProvider(base_url=server.base_url, api_key=DUMMY_KEY)
    return Vendor(
        server,
        AnthropicModel("claude-haiku-4-5", provider=provider, settings=SETTINGS),
        prompt_of=lambda body: str(body["messages"][-1]["content"][0]["text"]),
        tool_names_of=lambda body: [tool["name"] for tool in body.get("tools", [])],
    )


@pytest.fixture(params=["openai", "anthropic"])
async def vendor(request: pytest.FixtureRequest) -> AsyncIterator[Vendor]:
    """Each test runs once per vendor; the model's HTTP client is closed afterwards."""
    if request.param == "openai":
        opened = _openai_vendor(request.getfixturevalue("openai_server"))
    else:
        opened = _anthropic_vendor(request.getfixturevalue("anthropic_server"))
    async with opened.model:
        yield opened


async def test_plain_text_with_its_token_usage(vendor: Vendor) -> None:
    vendor.server.script(TextReply("Paris.", input_tokens=21, output_tokens=3))

    result = await Agent(vendor.model).run("What is the capital of France?")

    assert result.output == "Paris."
    usage = result.usage
    assert (usage.input_tokens, usage.output_tokens, usage.requests) == (21, 3, 1)
    [body] = vendor.server.requests
    assert vendor.prompt_of(body) == "What is the capital of France?"
    assert vendor.server.headers[0]["authorization"] == f"Bearer {DUMMY_KEY}"


async def test_structured_output_travels_as_the_final_result_tool(vendor: Vendor) -> None:
    vendor.server.script(
        ToolCallReply("final_result", {"name": "Paris", "country": "France"}, 30, 12)
    )

    result = await Agent(vendor.model, output_type=City).run("Which city?")

    assert result.output == City(name="Paris", country="France")
    assert (result.usage.input_tokens, result.usage.output_tokens) == (30, 12)
    [body] = vendor.server.requests
    assert vendor.tool_names_of(body) == ["final_result"]


async def test_invalid_structured_output_is_sent_back_and_retried(vendor: Vendor) -> None:
    vendor.server.script(
        ToolCallReply("final_result", {"name": 3}),
        ToolCallReply("final_result", {"name": "Lyon", "country": "France"}),
    )

    result = await Agent(vendor.model, output_type=City).run("Which city?")

    assert result.output == City(name="Lyon", country="France")
    assert result.usage.requests == 2
    assert "Field required" in str(vendor.server.requests[1]["messages"][-1]["content"])


async def test_a_500_surfaces_as_a_server_error(vendor: Vendor) -> None:
    vendor.server.script(ErrorReply(500, "boom"))

    with pytest.raises(ModelServerError) as raised:
        await Agent(vendor.model).run("Hello")

    assert raised.value.status_code == 500
    assert len(vendor.server.requests) == 1  # max_retries=0: the SDK did not retry


async def test_a_429_carries_its_retry_after(vendor: Vendor) -> None:
    vendor.server.script(ErrorReply(429, "slow down", retry_after_s=7))

    with pytest.raises(ModelRateLimitError) as raised:
        await Agent(vendor.model).run("Hello")

    assert raised.value.status_code == 429
    assert raised.value.headers is not None and raised.value.headers["retry-after"] == "7"


async def test_a_slow_reply_times_out(vendor: Vendor) -> None:
    vendor.server.script(TextReply("too late", delay_s=2))

    with pytest.raises(ModelTimeoutError):
        await Agent(vendor.model).run("Hello", model_settings=ModelSettings(timeout=0.2))


def test_connections_off_loopback_are_refused() -> None:
    import socket

    with pytest.raises(ConnectionRefusedError, match="127.0.0.1"):
        socket.create_connection(("203.0.113.1", 443), timeout=1)
