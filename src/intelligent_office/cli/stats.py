"""`office stats`: success rate, p50/p95 duration, cost per task and top failing tools."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from intelligent_office.cli.context import AppContext, ConfigOption, console
from intelligent_office.errors import UserError
from intelligent_office.limits import MAX_LIST_LIMIT, MAX_STATS_DAYS

if TYPE_CHECKING:
    from intelligent_office.observability.stats import OfficeStats

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add `office stats` to the app."""
    app.command("stats")(stats)


def stats(
    days: Annotated[
        float | None, typer.Option(help="Only tasks submitted in the last DAYS days.")
    ] = None,
    top: Annotated[
        int, typer.Option(min=1, max=MAX_LIST_LIMIT, help="How many failing tools to list.")
    ] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print the stats as JSON.")] = False,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            metavar="OUT",
            help="Write the stats page (charts over time and by tool) to OUT as one HTML file.",
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """How the Office has done: success rate, durations, cost per task, failing tools."""
    if days is not None and not 0 < days <= MAX_STATS_DAYS:  # also refuses NaN
        raise UserError(
            f"--days must be more than 0 and at most {MAX_STATS_DAYS:g}, got {days:g}:"
            " pass e.g. --days 7"
        )
    from intelligent_office.observability.stats import office_stats

    app = AppContext.open(config)
    if html is not None:
        _write_html(app, html, days)
        return
    since = datetime.now(UTC) - timedelta(days=days) if days is not None else None
    result = office_stats(app.store, since=since, top=top)
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    _print(result)


def _write_html(app: AppContext, out: Path, days: float | None) -> None:
    from intelligent_office.reports import stats_html  # the web UI's stats page, as a file

    if out.is_dir():
        raise UserError(f"--html {out} is a directory: give a file name, e.g. {out}/stats.html")
    try:
        out.write_text(stats_html(app.store, days=days), encoding="utf-8")
    except OSError as error:
        raise UserError(f"cannot write {out}: {error.strerror}; choose another path") from error
    console.print(f"wrote {out}: open it in a browser")


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def _print(result: OfficeStats) -> None:
    if result.tasks == 0:
        console.print("no tasks yet")
        return
    rate = "-" if result.success_rate is None else f"{result.success_rate:.0%}"
    per_task = "-" if result.cost_per_task_usd is None else f"${result.cost_per_task_usd:.4f}"
    table = Table(title="Office stats", show_header=False)
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("tasks", str(result.tasks))
    table.add_row("finished", str(result.finished))
    for status, count in result.by_status.items():
        table.add_row(f"  {status}", str(count))
    table.add_row("success rate", rate)
    table.add_row("duration p50", _seconds(result.duration_p50_seconds))
    table.add_row("duration p95", _seconds(result.duration_p95_seconds))
    table.add_row("LLM cost", f"${result.cost_usd:.4f}")
    table.add_row("cost per task", per_task)
    console.print(table)
    if not result.top_failing_tools:
        console.print("no tool failures")
        return
    tools = Table(title="Top failing tools")
    for column in ("tool", "failures", "calls"):
        tools.add_column(column, justify="left" if column == "tool" else "right")
    for item in result.top_failing_tools:
        tools.add_row(item.tool, str(item.failures), str(item.calls))
    console.print(tools)
