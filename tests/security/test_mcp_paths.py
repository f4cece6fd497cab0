"""MCP tools given a path: the path stays inside the calling task's workspace, so a
tenant's task cannot have an MCP server read another tenant's files (issue 16, part 1)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from intelligent_office.errors import ToolError
from intelligent_office.tools import ToolRegistry
from intelligent_office.tools.base import ToolContext
from intelligent_office.tools.mcp import MCPToolset
from tests.tools.mcp.conftest import words_server


@pytest.fixture
async def toolset() -> AsyncIterator[MCPToolset]:
    tools = MCPToolset([words_server()], ToolRegistry())
    await tools.start()
    yield tools
    await tools.aclose()


async def test_a_path_argument_is_read_inside_the_tasks_workspace_only(
    toolset: MCPToolset, tmp_path: Path
) -> None:
    alice, bob = tmp_path / "workspace" / "alice", tmp_path / "workspace" / "bob"
    for own, text in ((alice, "alice's notes"), (bob, "bob's secret")):
        own.mkdir(parents=True)
        (own / "notes.md").write_text(text)
    (alice / "link").symlink_to(bob / "notes.md")
    context = ToolContext(workspace=alice)

    # A relative path is alice's own file, whatever the server's working directory.
    read = await toolset.registry.call("words.read_text", context, {"path": "notes.md"})
    assert read == {"result": "alice's notes"}
    for path in (str(bob / "notes.md"), "../bob/notes.md", "link"):
        with pytest.raises(ToolError, match="words.read_text: argument path: .*outside"):
            await toolset.registry.call("words.read_text", context, {"path": path})


async def test_a_server_whose_arguments_are_not_paths_can_say_so(tmp_path: Path) -> None:
    tools = MCPToolset([words_server(path_arguments=[])], ToolRegistry())
    await tools.start()
    try:
        (tmp_path / "elsewhere.txt").write_text("sent as given")
        read = await tools.registry.call(
            "words.read_text",
            ToolContext(workspace=tmp_path / "ws"),
            {"path": str(tmp_path / "elsewhere.txt")},
        )
        assert read == {"result": "sent as given"}
    finally:
        await tools.aclose()
