"""MCPConnection: one MCP server's session, kept open and reopened when it breaks.

The `mcp` SDK's client is an anyio context manager: it must be entered and left by the
same task. So a background task on the caller's event loop owns each session (it enters
the client, then waits to be told to stop), and calls use the open session from their
own tasks. A connection follows the running loop: first use on a new loop opens a new
session there. A call that fails because the transport broke drops the session; the
next call opens a fresh one (the server is restarted, for stdio).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import mcp_types
from mcp import Client, MCPError, StdioServerParameters
from mcp.client import Transport
from mcp.client._transport import TransportStreams
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CONNECTION_CLOSED

from intelligent_office.errors import ToolError
from intelligent_office.observability.plain_structlog import lazy_logger
from intelligent_office.tools.mcp.settings import MCPServerSettings

__all__ = ["MCPConnection"]

log = lazy_logger(__name__)


class MCPConnection:
    """A session with one MCP server, opened lazily on the running event loop."""

    def __init__(self, settings: MCPServerSettings) -> None:
        self.settings = settings
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock: asyncio.Lock | None = None
        self._owner: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None
        self._client: Client | None = None
        self.sessions_opened = 0

    @property
    def is_open(self) -> bool:
        """Whether a session is open on some event loop."""
        return self._client is not None

    async def list_tools(self) -> list[mcp_types.Tool]:
        """Every tool the server offers now, across pages, bypassing the SDK's cache."""
        client = await self._session()
        tools: list[mcp_types.Tool] = []
        cursor: str | None = None
        try:
            async with asyncio.timeout(self.settings.timeout_seconds):
                while True:
                    page = await client.list_tools(cursor=cursor, cache_mode="refresh")
                    tools.extend(page.tools)
                    cursor = page.next_cursor
                    if cursor is None:
                        return tools
        except Exception as error:
            raise await self._failed("tools/list", error) from error

    async def call_tool(
        self, name: str, arguments: dict[str, Any], *, timeout_seconds: float | None = None
    ) -> mcp_types.CallToolResult:
        """Call one of the server's tools; transport failures and timeouts raise ToolError."""
        client = await self._session()
        limit = timeout_seconds or self.settings.timeout_seconds
        try:
            async with asyncio.timeout(limit):
                return await client.call_tool(name, arguments)
        except TimeoutError:
            raise ToolError(
                f"{self.settings.name}.{name}: no answer within {limit:g} s", retryable=True
            ) from None
        except Exception as error:
            raise await self._failed(f"{name}", error) from error

    async def aclose(self) -> None:
        """Close the session (and stop a stdio server) if one is open on this loop."""
        owner, stop, loop, client = self._owner, self._stop, self._loop, self._client
        self._owner = self._stop = self._client = None
        self._loop = self._lock = None
        if owner is None or stop is None or owner.done():
            return
        if loop is not asyncio.get_running_loop():
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(stop.set)
            return
        if client is None:
            owner.cancel()  # still connecting: there is no session to leave politely
        stop.set()
        await asyncio.wait([owner])

    async def _session(self) -> Client:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            await self.aclose()  # a session opened on another (usually finished) loop
            self._loop, self._lock = loop, asyncio.Lock()
        assert self._lock is not None
        async with self._lock:
            if self._client is None or self._owner is None or self._owner.done():
                await self._open()
            assert self._client is not None
            return self._client

    async def _open(self) -> None:
        ready: asyncio.Future[Client] = asyncio.get_running_loop().create_future()
        self._stop = asyncio.Event()
        self._owner = asyncio.create_task(
            self._own(ready, self._stop), name=f"mcp:{self.settings.name}"
        )
        try:
            async with asyncio.timeout(self.settings.timeout_seconds):
                self._client = await asyncio.shield(ready)
        except Exception as error:
            await self.aclose()
            if ready.done() and not ready.cancelled():
                ready.exception()  # retrieved: the error is reported below
            raise ToolError(
                f"MCP server {self.settings.name!r} could not be reached: {_reason(error)}",
                retryable=True,
            ) from error
        self.sessions_opened += 1

    async def _own(self, ready: asyncio.Future[Client], stop: asyncio.Event) -> None:
        try:
            async with Client(self._transport(), mode="legacy") as client:
                ready.set_result(client)
                await stop.wait()
        except BaseException as error:
            if not isinstance(error, Exception):
                ready.cancel()
                raise
            if not ready.done():
                ready.set_exception(error)
            log.warning("mcp.session_ended", server=self.settings.name, reason=_reason(error))

    def _transport(self) -> Transport | StdioServerParameters:
        settings = self.settings
        if settings.transport == "stdio":
            assert settings.command is not None
            return StdioServerParameters(
                command=settings.command,
                args=settings.args,
                env=settings.resolved_env(),
                cwd=settings.cwd,
            )
        return _http_transport(settings)

    async def _failed(self, what: str, error: Exception) -> ToolError:
        """A ToolError for a failed request; a broken transport also drops the session."""
        if isinstance(error, MCPError) and error.code != CONNECTION_CLOSED:
            return ToolError(f"{self.settings.name}.{what}: {error.error.message}")
        with contextlib.suppress(Exception):
            await self.aclose()
        return ToolError(
            f"MCP server {self.settings.name!r} failed during {what}: {_reason(error)}",
            retryable=True,
        )


@contextlib.asynccontextmanager
async def _http_transport(settings: MCPServerSettings) -> AsyncIterator[TransportStreams]:
    """Streamable HTTP with the configured headers; the SDK leaves a given client open."""
    assert settings.url is not None
    http_client = httpx2.AsyncClient(
        headers=settings.resolved_headers(), timeout=httpx2.Timeout(settings.timeout_seconds)
    )
    async with (
        http_client,
        streamable_http_client(settings.url, http_client=http_client) as streams,
    ):
        yield streams


def _reason(error: BaseException) -> str:
    if isinstance(error, BaseExceptionGroup):
        return "; ".join(_reason(inner) for inner in error.exceptions)
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
