"""The same test server over streamable HTTP: listing, a call, and the configured headers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from intelligent_office.tools import ToolContext, ToolRegistry
from intelligent_office.tools.mcp import MCPServerSettings, MCPToolset
from tests.tools.mcp.conftest import REPO


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def http_server_url() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.tools.mcp.server", "--http", str(port)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_an_http_server_is_connected_with_its_headers(
    http_server_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OFFICE_TEST_MCP_TOKEN", "tok-456")
    settings = MCPServerSettings(
        name="remote",
        transport="http",
        url=http_server_url,
        headers={"Authorization": "Bearer ${OFFICE_TEST_MCP_TOKEN}"},
    )
    toolset = MCPToolset([settings], ToolRegistry())
    await toolset.start()
    try:
        assert "remote.word_count" in toolset.registry
        context = ToolContext(workspace=tmp_path)
        counted = await toolset.registry.call("remote.word_count", context, {"text": "a b c d"})
        seen = await toolset.registry.call("remote.headers", context, {})
    finally:
        await toolset.aclose()
    assert counted == {"result": 4}
    assert isinstance(seen, dict) and seen["authorization"] == "Bearer tok-456"
