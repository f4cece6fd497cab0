"""MCP tool calls: what a persistent session saves over a session per call.

Usage: `python -m benchmarks.mcp_bench --out benchmarks/results/mcp.json`. The server is
the tests' stdio MCP server (tests/tools/mcp/server.py) started with this interpreter.
Timed: listing at start-up (`start_blocking`: process start, handshake, tools/list, close),
the first call on a new event loop (opens the persistent session), calls on the open
session (median and p95), and a fresh session per call (open, call, close).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.provenance import ROOT, provenance
from intelligent_office.tools import ToolContext, ToolRegistry
from intelligent_office.tools.mcp import MCPConnection, MCPServerSettings, MCPToolset

__all__ = ["main"]

CALLS = 200
FRESH_SESSIONS = 5


def _settings() -> MCPServerSettings:
    return MCPServerSettings(
        name="words", command=sys.executable, args=["-m", "tests.tools.mcp.server"], cwd=str(ROOT)
    )


async def _calls(toolset: MCPToolset) -> dict[str, float]:
    context = ToolContext(workspace=Path.cwd())
    registry = toolset.registry
    clock = time.perf_counter()
    await registry.call("words.word_count", context, {"text": "warm up"})
    first = time.perf_counter() - clock
    durations = []
    for _ in range(CALLS):
        clock = time.perf_counter()
        await registry.call("words.word_count", context, {"text": "one two three"})
        durations.append(time.perf_counter() - clock)
    fresh = []
    for _ in range(FRESH_SESSIONS):
        connection = MCPConnection(_settings())
        clock = time.perf_counter()
        await connection.call_tool("word_count", {"text": "one two"})
        await connection.aclose()
        fresh.append(time.perf_counter() - clock)
    await toolset.aclose()
    return {
        "first_call_opens_session_s": first,
        "call_median_ms": statistics.median(durations) * 1000,
        "call_p95_ms": statistics.quantiles(durations, n=20)[-1] * 1000,
        "fresh_session_per_call_median_s": statistics.median(fresh),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path)
    out = parser.parse_args().out
    toolset = MCPToolset([_settings()], ToolRegistry())
    clock = time.perf_counter()
    toolset.start_blocking()
    results: dict[str, Any] = {"start_blocking_s": time.perf_counter() - clock}
    results |= asyncio.run(_calls(toolset))
    report = {"benchmark": "mcp", "results": results, "provenance": provenance("mcp")}
    text = json.dumps(report, indent=2)
    if out:
        out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
