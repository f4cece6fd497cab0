"""`office doctor`: what this installation runs on, layer by layer, and what is missing."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import typer

from intelligent_office.cli.context import ConfigOption, console
from intelligent_office.errors import OfficeError

if TYPE_CHECKING:
    from intelligent_office.llm.config import ProviderSettings
    from intelligent_office.settings import Settings

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add `office doctor` to the app."""
    app.command("doctor")(doctor)


def doctor(config: ConfigOption = None) -> None:
    """Report the database, runtime, models, tool policy, sandbox and MCP servers."""
    from intelligent_office.settings import load_settings

    settings = load_settings(config)
    problems = 0
    for check in (_database, _models, _policy, _sandbox, _mcp):
        lines, ok = check(settings)
        problems += not ok
        for number, line in enumerate(lines):
            mark = ("[green]ok[/]  " if ok else "[red]!![/]  ") if number == 0 else "      "
            console.print(mark + line, highlight=False)
    if problems:
        raise typer.Exit(1)


def _database(settings: Settings) -> tuple[list[str], bool]:
    url = settings.resolved_database_url
    shown = url.split("@")[-1] if "@" in url else url  # never print a password
    from sqlalchemy import text

    from intelligent_office.store import Store

    try:
        store = Store.open(url, sqlite_synchronous=settings.sqlite_synchronous)
    except Exception as error:  # reported, not raised: doctor's job is to show it
        return [f"database: {shown}: {type(error).__name__}: {error}"], False
    try:
        with store.engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        runs = len(store.runs.recent(limit=1000))
    finally:
        store.close()
    return [
        f"database: {store.dialect} {shown}, schema revision {revision}",
        f"runtime: local (journaled in the database), {runs} recent runs",
    ], True


def _models(settings: Settings) -> tuple[list[str], bool]:
    from intelligent_office.llm.config import Tier

    llm = settings.llm
    if not llm.enabled:
        return ["models: none configured: the offline brain answers (no key, no network)"], True
    lines = ["models: by tier, in fallback order"]
    ok = True
    for tier in Tier:
        refs = llm.models_for(tier)
        lines.append(f"  {tier.value}: {', '.join(map(str, refs)) or 'offline brain'}")
    for name, provider in llm.providers.items():
        if provider.kind == "local":
            local_lines, local_ok = _local_model(name, provider)
            lines.extend(local_lines)
            ok = ok and local_ok
            continue
        has_key = provider.no_key or bool(os.environ.get(provider.key_variable))
        ok = ok and has_key
        key = "no key needed" if provider.no_key else f"key {provider.key_variable}"
        state = "set" if has_key else "MISSING"
        where = provider.base_url or "vendor default URL"
        lines.append(f"  provider {name}: {provider.kind} at {where}, {key}: {state}")
    return lines, ok


def _local_model(name: str, provider: ProviderSettings) -> tuple[list[str], bool]:
    """The model file, and its load time and speed measured with a tiny prompt."""
    from intelligent_office.llm.local_server import (
        local_model_of,
        local_server,
        measure_speed,
        xllamacpp_available,
    )

    try:
        model = local_model_of(provider)
    except OfficeError as error:
        return [f"  provider {name}: local model: {error}"], False
    size = model.file.stat().st_size / 1_000_000
    lines = [
        f"  provider {name}: local model {model.file} ({size:.0f} MB),"
        f" {model.threads} thread{'s' if model.threads > 1 else ''},"
        f" context {model.context_size} tokens"
    ]
    if not xllamacpp_available():
        lines.append("    llama.cpp: MISSING: pip install 'intelligent-office[local-model]'")
        return lines, False
    server = local_server(model)
    try:
        base_url = server.start()
        speed = measure_speed(base_url)
    except OfficeError as error:
        lines.append(f"    llama.cpp: {error}")
        return lines, False
    finally:
        server.stop()
    lines.append(
        f"    llama.cpp: loaded in {server.load_seconds or 0:.1f} s;"
        f" {speed.tokens_per_second:.1f} tokens/s writing,"
        f" {speed.prompt_tokens_per_second:.0f} tokens/s reading ({speed.tokens} tokens timed)"
    )
    return lines, True


def _policy(settings: Settings) -> tuple[list[str], bool]:
    from intelligent_office.tools.policy import load_policy

    policy = load_policy(settings.policy_file)
    defaults = ", ".join(
        f"{risk.value}: {verdict.value}" for risk, verdict in policy.defaults.items()
    )
    return [f"tool policy: {policy.source}: {len(policy.rules)} rules; defaults {defaults}"], True


def _sandbox(settings: Settings) -> tuple[list[str], bool]:
    from intelligent_office.tools.sandbox.probe import doctor_status, probe

    report = probe(settings.sandbox)
    required = settings.sandbox.require_tier
    ok = report.sandbox is not None and (
        required is None or report.sandbox.tier.strength >= required.strength
    )
    return doctor_status(report), ok


def _mcp(settings: Settings) -> tuple[list[str], bool]:
    if not settings.mcp_servers:
        return ["MCP servers: none configured"], True
    from intelligent_office.tools.base import ToolRegistry
    from intelligent_office.tools.mcp.toolset import MCPToolset

    toolset = MCPToolset(settings.mcp_servers, ToolRegistry())
    try:
        toolset.start_blocking()
        ok = True
    except Exception as error:  # reported, not raised
        ok = False
        first = f"MCP servers: {error}"
    else:
        first = f"MCP servers: {len(settings.mcp_servers)} configured"
    lines = [first] + [
        f"  {s['name']} ({s['transport']}): {s['tools']} tools"
        + (f", error: {s['error']}" if s["error"] else "")
        for s in toolset.servers()
    ]
    return lines, ok
