"""A small real MCP server for the tests, over stdio: `python -m tests.tools.mcp.server`."""

from __future__ import annotations

import os
import sys

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError

server = MCPServer("office-test-tools", log_level="WARNING")


@server.tool()
def word_count(text: str) -> int:
    """Count the words in a text."""
    return len(text.split())


@server.tool()
def reverse(text: str) -> str:
    """Reverse a text."""
    return text[::-1]


@server.tool()
def fail(reason: str) -> str:
    """Always fails, with the reason given."""
    raise ToolError(f"failed on purpose: {reason}")


@server.tool()
def read_text(path: str) -> str:
    """The text of a file on the server's machine, as a filesystem server would read it."""
    with open(path, encoding="utf-8") as file:
        return file.read()


@server.tool()
def environment() -> dict[str, str]:
    """The server's own environment variables."""
    return dict(os.environ)


@server.tool()
def add_shout() -> str:
    """Start offering a `shout` tool (the tool list changes)."""

    def shout(text: str) -> str:
        """Upper-case a text."""
        return text.upper()

    server.add_tool(shout)
    return "shout added"


@server.tool()
def crash() -> str:
    """End the server process abruptly."""
    os._exit(3)


@server.tool()
def headers(ctx: Context) -> dict[str, str]:
    """The HTTP headers of the current request (streamable HTTP only)."""
    return dict(ctx.headers or {})


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--http":
        server.run("streamable-http", port=int(sys.argv[2]))
    else:
        server.run("stdio")
