"""MCP tools against a real server over stdio: listing, calls, errors, schemas, env, changes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pydantic import ValidationError

from intelligent_office.errors import ConfigError, ToolError
from intelligent_office.models.risk import RiskLevel
from intelligent_office.tools import ToolContext, ToolRegistry
from intelligent_office.tools.mcp import MCPServerSettings, MCPToolset
from tests.tools.mcp.conftest import words_server


def context(tmp_path: Path) -> ToolContext:
    return ToolContext(workspace=tmp_path)


async def test_listing_registers_prefixed_tools_with_schema_description_and_risk(
    toolset: MCPToolset,
) -> None:
    specs = {spec.name: spec for spec in toolset.registry.specs()}
    assert {"words.word_count", "words.reverse", "words.fail"} <= set(specs)
    word_count = specs["words.word_count"]
    assert word_count.description == "Count the words in a text."
    assert word_count.parameters["required"] == ["text"]
    assert word_count.risk_level is RiskLevel.MEDIUM  # the server's default
    assert specs["words.reverse"].risk_level is RiskLevel.LOW  # the per-tool override


async def test_calls_return_the_servers_output(toolset: MCPToolset, tmp_path: Path) -> None:
    registry = toolset.registry
    counted = await registry.call("words.word_count", context(tmp_path), {"text": "one two three"})
    assert counted == {"result": 3}
    reversed_text = await registry.call("words.reverse", context(tmp_path), {"text": "abc"})
    assert reversed_text == {"result": "cba"}


async def test_a_tool_error_becomes_a_tool_error_with_the_servers_message(
    toolset: MCPToolset, tmp_path: Path
) -> None:
    with pytest.raises(ToolError, match="words.fail: .*failed on purpose: disk full"):
        await toolset.registry.call("words.fail", context(tmp_path), {"reason": "disk full"})


async def test_arguments_off_the_schema_are_refused_before_any_call(tmp_path: Path) -> None:
    registry = ToolRegistry()
    toolset = MCPToolset([words_server()], registry)
    toolset.start_blocking()  # lists, then closes its sessions
    assert registry.argument_errors("words.word_count", {"text": "a b"}) == []
    assert registry.argument_errors("words.word_count", {"txt": "a"}) == [
        "arguments: 'text' is a required property"
    ]
    with pytest.raises(ToolError, match="text: 3 is not of type 'string'"):
        await registry.call("words.word_count", context(tmp_path), {"text": 3})
    assert toolset.servers()[0]["connected"] is False  # the server was never called
    await toolset.aclose()


async def test_the_server_sees_only_the_listed_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OFFICE_TEST_SECRET", "s3cret")
    monkeypatch.setenv("OFFICE_TEST_TOKEN", "tok-123")
    toolset = MCPToolset(
        [words_server(env={"WORDS_TOKEN": "Bearer ${OFFICE_TEST_TOKEN}"})], ToolRegistry()
    )
    await toolset.start()
    try:
        environment = await toolset.registry.call("words.environment", context(tmp_path), {})
    finally:
        await toolset.aclose()
    assert isinstance(environment, dict)
    assert environment["WORDS_TOKEN"] == "Bearer tok-123"
    assert "OFFICE_TEST_SECRET" not in environment
    assert "OFFICE_TEST_TOKEN" not in environment


async def test_a_changed_tool_list_is_picked_up_on_refresh(
    toolset: MCPToolset, tmp_path: Path
) -> None:
    before = toolset.snapshot()
    assert "words.shout" not in toolset.registry
    await toolset.registry.call("words.add_shout", context(tmp_path), {})
    after = await toolset.refresh()
    assert [tool["name"] for tool in after] == sorted([*(t["name"] for t in before), "words.shout"])
    shouted = await toolset.registry.call("words.shout", context(tmp_path), {"text": "hi"})
    assert shouted == {"result": "HI"}


async def test_a_crashed_server_fails_the_call_and_is_restarted_for_the_next(
    toolset: MCPToolset, tmp_path: Path
) -> None:
    with pytest.raises(ToolError, match="MCP server 'words' failed") as raised:
        await toolset.registry.call("words.crash", context(tmp_path), {})
    assert raised.value.retryable
    counted = await toolset.registry.call("words.word_count", context(tmp_path), {"text": "a b"})
    assert counted == {"result": 2}


async def test_snapshot_names_each_tool_with_a_stable_schema_hash(toolset: MCPToolset) -> None:
    snapshot = toolset.snapshot()
    (entry,) = [tool for tool in snapshot if tool["name"] == "words.word_count"]
    assert entry["server"] == "words" and entry["risk_level"] == "medium"
    assert len(str(entry["input_schema_sha256"])) == 64
    assert await toolset.refresh() == snapshot


def test_settings_name_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="a stdio server needs `command`"):
        MCPServerSettings(name="x")
    with pytest.raises(ValidationError, match="an http server needs `url`"):
        MCPServerSettings(name="x", transport="http")
    with pytest.raises(ValidationError, match="extra"):
        MCPServerSettings.model_validate({"name": "x", "command": "y", "shell": True})
    monkeypatch.delenv("OFFICE_TEST_UNSET", raising=False)
    settings = MCPServerSettings(name="x", command="y", env={"A": "${OFFICE_TEST_UNSET}"})
    with pytest.raises(ConfigError, match=r"references \$\{OFFICE_TEST_UNSET\}"):
        settings.resolved_env()


async def test_an_unstartable_server_is_a_clear_tool_error() -> None:
    toolset = MCPToolset([words_server(command="/nonexistent/mcp-server")], ToolRegistry())
    with pytest.raises(ToolError, match="MCP server 'words' could not be reached"):
        await toolset.start()
    await toolset.aclose()


async def test_a_server_down_at_refresh_keeps_its_tools_and_reports_the_error(
    tmp_path: Path,
) -> None:
    settings = words_server()
    toolset = MCPToolset([settings], ToolRegistry())
    before = await toolset.start()
    with pytest.raises(ToolError):
        await toolset.registry.call("words.crash", context(tmp_path), {})
    settings.args = ["-c", "raise SystemExit(1)"]  # the server no longer starts
    assert await toolset.refresh() == before
    (status,) = toolset.servers()
    assert "could not be reached" in str(status["error"])
    with pytest.raises(ToolError, match="could not be reached"):
        await toolset.refresh(strict=True)
    await toolset.aclose()


async def test_a_server_that_never_answers_times_out_without_hanging() -> None:
    silent = words_server(args=["-c", "import time; time.sleep(60)"], timeout_seconds=0.5)
    toolset = MCPToolset([silent], ToolRegistry())
    with pytest.raises(ToolError, match="could not be reached: TimeoutError"):
        await toolset.start()
    await toolset.aclose()


async def test_concurrent_calls_share_one_session(toolset: MCPToolset, tmp_path: Path) -> None:
    texts = [" ".join(["w"] * n) for n in range(1, 21)]
    results = await asyncio.gather(
        *(
            toolset.registry.call("words.word_count", context(tmp_path), {"text": text})
            for text in texts
        )
    )
    assert results == [{"result": n} for n in range(1, 21)]
    assert toolset.servers()[0]["connected"] is True
