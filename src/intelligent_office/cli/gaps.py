"""`office gaps`: the capabilities tasks were missing, as machine-readable reports."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from intelligent_office.cli.context import AppContext, ConfigOption, console
from intelligent_office.limits import MAX_LIST_LIMIT

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add `office gaps` to the app."""
    app.command("gaps")(list_gaps)


def list_gaps(
    task: Annotated[str | None, typer.Option(help="Only this task's reports.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=MAX_LIST_LIMIT)] = 50,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the full reports as JSON.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Tool-gap reports, newest first: what was asked, what tool would do it, where to get one.

    `office tools build ID` drafts the missing tool from a report.
    """
    app = AppContext.open(config)
    gaps = app.store.tool_gaps.recent(task_id=task, limit=limit)
    if as_json:
        typer.echo(json.dumps([{"id": gap.id, **gap.report} for gap in gaps], indent=2))
        return
    if not gaps:
        console.print("no tool gaps recorded")
        return
    table = Table()
    for column in ("id", "when", "task", "request", "missing tools", "proposed MCP server"):
        table.add_column(column)
    for gap in gaps:
        report = gap.report
        tools = [tool.get("name", "?") for tool in report.get("missing_tools") or []]
        missing = ", ".join(tools or report.get("missing_capabilities") or [])
        table.add_row(
            str(gap.id),
            f"{gap.created_at:%Y-%m-%d %H:%M}",
            gap.task_id,
            str(report.get("request", "")),
            missing,
            str(report.get("proposed_mcp_server") or ""),
        )
    console.print(table)
