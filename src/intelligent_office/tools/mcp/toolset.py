"""MCPToolset: the configured MCP servers' tools, kept in step with the servers' tool lists.

Each server's tools join a `ToolRegistry` as `<server>.<tool>`, with the JSON schema the
server publishes (arguments that do not fit are refused before any call), the server's
description, and the risk the settings give. `refresh()` re-lists every server and
updates the registry; `snapshot()` is what a run records as its `mcp.tools` event.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import mcp_types
from pydantic import BaseModel, JsonValue, ValidationError

from intelligent_office.errors import ToolError, UserError
from intelligent_office.tools.base import Tool, ToolContext, ToolRegistry, ToolSpec
from intelligent_office.tools.mcp._convert import arguments_model_for, result_value
from intelligent_office.tools.mcp.connection import MCPConnection
from intelligent_office.tools.mcp.paths import confine_path_arguments
from intelligent_office.tools.mcp.settings import MCPServerSettings

__all__ = ["MCPTool", "MCPToolset", "load_mcp_tools"]


@dataclass(frozen=True)
class MCPTool(Tool):
    """A tool offered by an MCP server: arguments are checked against its JSON schema."""

    server: str = ""
    remote_name: str = ""
    schema_hash: str = ""

    async def __call__(self, context: ToolContext, arguments: dict[str, Any]) -> JsonValue:
        """Check the arguments against the server's schema, then call the server."""
        try:
            self.arguments_model.model_validate(arguments)
        except ValidationError as error:
            problems = "; ".join(str(item["msg"]) for item in error.errors())
            raise ToolError(f"{self.spec.name}: {problems}") from None
        result: JsonValue = await self.fn(context, **arguments)
        return result


@dataclass
class _Server:
    settings: MCPServerSettings
    connection: MCPConnection
    tools: dict[str, MCPTool] = field(default_factory=dict)
    error: str | None = None


class MCPToolset:
    """The tools of the configured MCP servers, registered in a ToolRegistry.

    Listing happens at start (`start()` in a running loop, or `start_blocking()` from
    synchronous start-up code) and on every `refresh()`; calls use one persistent
    session per server, opened on first use on the loop that calls.
    """

    def __init__(self, servers: Sequence[MCPServerSettings], registry: ToolRegistry) -> None:
        names = [server.name for server in servers]
        if len(set(names)) != len(names):
            raise UserError(f"MCP server names must be unique: {names}")
        self.registry = registry
        self._servers = {s.name: _Server(s, MCPConnection(s)) for s in servers}

    async def start(self) -> list[dict[str, JsonValue]]:
        """List every server's tools and register them; the snapshot of what was found.

        Raises:
            ToolError: a server could not be started, reached or listed (all are named).
        """
        return await self.refresh(strict=True)

    def start_blocking(self) -> list[dict[str, JsonValue]]:
        """`start()` from synchronous code: list in a short-lived loop on a thread.

        Those sessions are closed before returning; calls later open their own
        session on the loop that runs them.
        """
        outcome: list[list[dict[str, JsonValue]] | BaseException] = []

        async def list_and_close() -> list[dict[str, JsonValue]]:
            try:
                return await self.refresh(strict=True)
            finally:
                await self.aclose()

        def run() -> None:
            try:
                outcome.append(asyncio.run(list_and_close()))
            except BaseException as error:  # handed to the calling thread
                outcome.append(error)

        thread = threading.Thread(target=run, name="mcp-start")
        thread.start()
        thread.join()
        (value,) = outcome
        if isinstance(value, BaseException):
            raise value
        return value

    async def refresh(self, *, strict: bool = False) -> list[dict[str, JsonValue]]:
        """Re-list every server's tools and bring the registry in step; the new snapshot.

        A server that cannot be listed keeps the tools it had (their calls fail until it
        is back) and its error shows in `servers()`; with `strict`, it raises ToolError.
        """
        servers = list(self._servers.values())
        listings = await asyncio.gather(
            *(server.connection.list_tools() for server in servers), return_exceptions=True
        )
        for server, listing in zip(servers, listings, strict=True):
            if isinstance(listing, BaseException):
                if not isinstance(listing, Exception):
                    raise listing
                server.error = str(listing)
            else:
                server.error = None
                self._update(server, listing)
        failures = [server.error for server in servers if server.error]
        if strict and failures:
            raise ToolError("; ".join(failures), retryable=True)
        return self.snapshot()

    def snapshot(self) -> list[dict[str, JsonValue]]:
        """Name, description and input-schema hash of every MCP tool, sorted by name."""
        tools = [tool for server in self._servers.values() for tool in server.tools.values()]
        return [
            {
                "name": tool.spec.name,
                "server": tool.server,
                "description": tool.spec.description,
                "risk_level": tool.spec.risk_level.value,
                "input_schema_sha256": tool.schema_hash,
            }
            for tool in sorted(tools, key=lambda item: item.spec.name)
        ]

    def servers(self) -> list[dict[str, JsonValue]]:
        """Each server's name, transport, tool count, open session and last listing error."""
        return [
            {
                "name": name,
                "transport": server.settings.transport,
                "tools": len(server.tools),
                "connected": server.connection.is_open,
                "error": server.error,
            }
            for name, server in self._servers.items()
        ]

    async def aclose(self) -> None:
        """Close every open session (stopping stdio servers)."""
        for server in self._servers.values():
            await server.connection.aclose()

    def _update(self, server: _Server, listing: list[mcp_types.Tool]) -> None:
        fresh = {remote.name: self._tool(server, remote) for remote in listing}
        for remote_name, old in list(server.tools.items()):
            new = fresh.get(remote_name)
            if new is None or new.spec != old.spec:
                self.registry.unregister(old.spec.name)
                del server.tools[remote_name]
        for remote_name, new in fresh.items():
            if remote_name not in server.tools:
                self.registry.register(new)
                server.tools[remote_name] = new

    def _tool(self, server: _Server, remote: mcp_types.Tool) -> MCPTool:
        settings, connection = server.settings, server.connection
        name = f"{settings.name}.{remote.name}"
        schema: dict[str, Any] = dict(remote.input_schema)
        annotations = remote.annotations
        idempotent = annotations is not None and bool(
            annotations.idempotent_hint or annotations.read_only_hint
        )

        async def call(context: ToolContext, **arguments: Any) -> JsonValue:
            # The server runs with the service's rights: its paths stay in the task's workspace.
            sent = confine_path_arguments(
                name, arguments, settings.path_arguments, context.workspace
            )
            result = await connection.call_tool(
                remote.name, sent, timeout_seconds=context.timeout_seconds
            )
            return result_value(name, result)

        parameters: dict[str, JsonValue] = json.loads(json.dumps(schema))
        spec = ToolSpec(
            name=name,
            description=(remote.description or remote.title or remote.name).strip(),
            parameters=parameters,
            risk_level=settings.risk_of(remote.name),
            idempotent=idempotent,
        )
        model: type[BaseModel] = arguments_model_for(name, schema)
        digest = hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()
        return MCPTool(
            spec=spec,
            arguments_model=model,
            fn=call,
            server=settings.name,
            remote_name=remote.name,
            schema_hash=digest,
        )


async def load_mcp_tools(
    servers: Sequence[MCPServerSettings], registry: ToolRegistry
) -> MCPToolset:
    """Start or connect every configured server and register its tools in `registry`."""
    toolset = MCPToolset(servers, registry)
    await toolset.start()
    return toolset
