"""`office tools`: the tools plans may call, with their risk and JSON schema."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from intelligent_office.cli.context import console

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add `office tools` to the app."""
    app.command("tools")(list_tools)


def list_tools(
    as_json: Annotated[bool, typer.Option("--json", help="Print every ToolSpec as JSON.")] = False,
) -> None:
    """List the built-in tools: name, risk, idempotency, parameters and description."""
    from intelligent_office.tools.builtin import builtin_tools

    specs = builtin_tools().specs()
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
