"""`office costs`: what LLM calls cost, summed by model, tier, day, agent or task."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from intelligent_office.cli.context import AppContext, ConfigOption, console
from intelligent_office.store import CostGrouping, CostRow

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add `office costs` to the app."""
    app.command("costs")(costs)


def costs(
    task: Annotated[str | None, typer.Option(help="Only the calls of this task.")] = None,
    by: Annotated[CostGrouping, typer.Option(help="What to sum the calls by.")] = "model",
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
    config: ConfigOption = None,
) -> None:
    """Show LLM calls, tokens and cost in USD, costliest first, with a total."""
    app = AppContext.open(config)
    rows = app.store.llm_calls.summary(by, task_id=task)
    if as_json:
        typer.echo(json.dumps([asdict(row) for row in rows], indent=2))
        return
    if not rows:
        console.print("no LLM calls recorded" + (f" for task {task}" if task else ""))
        return
    table = Table(title=f"LLM costs by {by}" + (f" (task {task})" if task else ""))
    table.add_column(by, no_wrap=True)
    for column in ("calls", "cache hits", "input tokens", "output tokens", "cost (USD)"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(*_cells(row))
    total = CostRow(
        key="total",
        calls=sum(row.calls for row in rows),
        cache_hits=sum(row.cache_hits for row in rows),
        input_tokens=sum(row.input_tokens for row in rows),
        output_tokens=sum(row.output_tokens for row in rows),
        cost_usd=sum(row.cost_usd for row in rows),
    )
    table.add_section()
    table.add_row(*_cells(total), style="bold")
    console.print(table)


def _cells(row: CostRow) -> tuple[str, ...]:
    return (
        row.key,
        str(row.calls),
        str(row.cache_hits),
        str(row.input_tokens),
        str(row.output_tokens),
        f"{row.cost_usd:.6f}",
    )
