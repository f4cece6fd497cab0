"""`office tools`: the tools plans may call, with their risk and JSON schema.

The list is the one the Office builds from the settings (the same as `GET /tools`):
the built-in tools, http_request with an allow-list, search_documents with memory on,
the MCP servers' tools and ai_tool with a model.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from intelligent_office.cli.context import AppContext, ConfigOption, console

__all__ = ["register"]


tools_app = typer.Typer(
    invoke_without_command=True,
    help="List the tools plans may call; build missing ones from gap reports"
    " (`office tools build`).",
)


def register(app: typer.Typer) -> None:
    """Add `office tools` (and the tool builder's commands under it) to the app."""
    from intelligent_office.cli import tool_builder

    tool_builder.register(tools_app)
    app.add_typer(tools_app, name="tools")


@tools_app.callback()
def list_tools(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print every ToolSpec as JSON.")] = False,
    config: ConfigOption = None,
) -> None:
    """List the tools plans may call (built-in, MCP, http): risk, parameters, description."""
    if ctx.invoked_subcommand is not None:
        return
    app = AppContext.open(config)
    try:
        specs = sorted(app.office.tools.specs(), key=lambda spec: spec.name)
    finally:
        app.store.close()
    if as_json:
        typer.echo(json.dumps([spec.model_dump(mode="json") for spec in specs], indent=2))
        return
    table = Table(title="tools")
    for column in ("name", "risk", "idempotent", "parameters", "description"):
        table.add_column(column)
    for spec in specs:
        properties = spec.parameters.get("properties")
        names = ", ".join(properties) if isinstance(properties, dict) else ""
        table.add_row(
            spec.name,
            spec.risk_level.value,
            "yes" if spec.idempotent else "no",
            names,
            spec.description,
        )
    console.print(table)
