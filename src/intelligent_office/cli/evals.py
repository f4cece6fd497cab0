"""`office eval`: run a suite of real tasks, list past runs, compare two runs.

`office eval SUITE` is short for `office eval run SUITE` (a suite file named like a
subcommand needs the long form).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text
from typer import _click as click  # typer ships its own click: its types are these
from typer.core import TyperGroup

from intelligent_office.cli.context import ConfigOption, console, open_store
from intelligent_office.errors import UserError

if TYPE_CHECKING:
    from intelligent_office.evals import Comparison, EvalReport
    from intelligent_office.evals.results import CaseChange
    from intelligent_office.settings import Settings

__all__ = ["register"]


class _RunByDefault(TyperGroup):
    """A group whose unknown first word is a suite file: `office eval X` runs `run X`."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().resolve_command(ctx, args)


eval_app = typer.Typer(
    cls=_RunByDefault,
    no_args_is_help=True,
    help="Measure how often the Office gets tasks right: `office eval SUITE` runs a suite.",
)


def register(app: typer.Typer) -> None:
    """Add `office eval` to the app."""
    app.add_typer(eval_app, name="eval")


@eval_app.command("run")
def run(
    suite_file: Annotated[Path, typer.Argument(help="The suite (YAML), e.g. evals/office.yaml.")],
    tier: Annotated[
        list[str] | None,
        typer.Option(
            "--tier",
            help="TIER=PROVIDER:MODEL[,PROVIDER:MODEL] replaces a tier's models (repeat);"
            " `offline` uses the offline brain whatever is configured.",
        ),
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Cases run at once.")] = 4,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Only cases with this tag (repeat).")
    ] = None,
    case: Annotated[
        list[str] | None, typer.Option("--case", help="Only this case (repeat).")
    ] = None,
    timeout: Annotated[float, typer.Option(min=1, help="Seconds one case may take.")] = 300.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the report as one HTML page.")
    ] = None,
    ui_url: Annotated[
        str, typer.Option(help="Where `office serve` runs, for the failures' task links.")
    ] = "",
    min_pass_rate: Annotated[
        float | None,
        typer.Option(min=0, max=1, help="Exit 1 when the pass rate is below this (0..1)."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Run every case of a suite through the Office loop and check the outcomes."""
    from intelligent_office.evals import EvalRunner, load_suite, render_html
    from intelligent_office.front_door import Office
    from intelligent_office.observability import Telemetry
    from intelligent_office.settings import load_settings

    suite = load_suite(suite_file)
    cases = suite.select(tags=tag, ids=case)
    if not cases:
        raise UserError(f"{suite_file}: no case has the tag(s) {', '.join(tag or [])}")
    settings = _eval_settings(load_settings(config), tier or [])
    store = open_store(settings)
    office = Office.from_settings(
        settings, store, telemetry=Telemetry.from_settings(settings.observability)
    )
    documents_office = None
    if any(one.documents for one in cases):
        # Cases that bring documents run with memory on, each as a user of its own.
        memory_on = settings.model_copy(
            update={"memory": settings.memory.model_copy(update={"enabled": True})}
        )
        documents_office = Office.from_settings(memory_on, store, telemetry=office.telemetry)
    filters: dict[str, Any] = {"tags": tag or [], "cases": case or []}
    runner = EvalRunner(
        office,
        documents_office=documents_office,
        concurrency=concurrency,
        case_timeout_seconds=timeout,
    )
    if as_json:
        report = asyncio.run(runner.run(suite, cases, filters=filters))
    else:
        report = _run_with_progress(runner, suite, cases, filters)
    store.evals.add(report.to_record())
    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_html(report, ui_url=ui_url), encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
    else:
        _print_report(report)
        if html is not None:
            console.print(f"report written to {html}")
    if min_pass_rate is not None and report.pass_rate < min_pass_rate:
        raise typer.Exit(1)


def _eval_settings(settings: Settings, tiers: list[str]) -> Settings:
    """The settings with the `--tier` overrides, and memory off so cases stay independent."""
    from intelligent_office.llm.config import LLMSettings, Tier

    chosen: dict[Tier, list[str]] = dict(settings.llm.tiers)
    for text in tiers:
        if text.strip() == "offline":
            chosen = {}
            continue
        name, sep, models = text.partition("=")
        try:
            tier = Tier(name.strip())
        except ValueError:
            known = ", ".join(t.value for t in Tier)
            raise UserError(f"--tier {text!r}: unknown tier {name!r} (known: {known})") from None
        if not sep or not models.strip():
            raise UserError(f"--tier {text!r}: write TIER=PROVIDER:MODEL, e.g. planner=local:qwen")
        chosen[tier] = [model.strip() for model in models.split(",") if model.strip()]
    try:
        llm = LLMSettings.model_validate({**settings.llm.model_dump(), "tiers": chosen})
    except ValueError as error:
        raise UserError(f"--tier: {error}") from None
    memory = settings.memory.model_copy(update={"enabled": False})
    return settings.model_copy(update={"llm": llm, "memory": memory})


def _run_with_progress(runner: Any, suite: Any, cases: list[Any], filters: Any) -> EvalReport:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*Progress.get_default_columns()[:1], *columns, console=console) as progress:
        bar = progress.add_task(f"eval {suite.name}", total=len(cases))
        failed = 0

        def advance(result: Any) -> None:
            nonlocal failed
            failed += not result.passed
            progress.update(bar, advance=1, description=f"eval {suite.name} ({failed} failed)")

        runner.on_case = advance
        report: EvalReport = asyncio.run(runner.run(suite, cases, filters=filters))
    return report


def _print_report(report: EvalReport) -> None:
    cases = Table(title=f"cases of {report.suite}")
    for column in ("case", "capability", "", "status", "time", "iter", "tokens", "cost", "why"):
        cases.add_column(column, no_wrap=column in ("case", "capability"))
    for case in report.cases:
        cases.add_row(
            case.case_id,
            case.capability,
            Text("pass", style="green") if case.passed else Text("FAIL", style="bold red"),
            case.status,
            f"{case.seconds:.2f}s",
            str(case.iterations),
            str(case.tokens),
            f"${case.cost_usd:.4f}",
            case.why,
        )
    console.print(cases)
    scores = Table(title="pass rate by capability")
    for column in ("capability", "passed", "cases", "rate"):
        scores.add_column(column)
    for score in report.by_capability():
        scores.add_row(score.capability, str(score.passed), str(score.total), f"{score.rate:.0%}")
    console.print(scores)
    tokens = sum(case.tokens for case in report.cases)
    cost = sum(case.cost_usd for case in report.cases)
    console.print(
        f"[bold]{report.passed}/{len(report.cases)} passed ({report.pass_rate:.1%})[/]"
        f"  brain {report.brain}  {report.seconds:.1f} s  tokens {tokens}  cost ${cost:.4f}"
        f"  run {report.run_id}"
    )


@eval_app.command("runs")
def runs(
    suite: Annotated[str | None, typer.Option(help="Only runs of this suite (its name).")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the runs as JSON.")] = False,
    config: ConfigOption = None,
) -> None:
    """List eval runs, newest first."""
    from intelligent_office.settings import load_settings

    store = open_store(load_settings(config))
    found = store.evals.recent(suite=suite, limit=limit)
    if as_json:
        rows = [
            {
                "run_id": run.id,
                "suite": run.suite,
                "brain": run.brain,
                "started_at": run.started_at.isoformat(),
                "cases": run.cases_total,
                "passed": run.cases_passed,
                "pass_rate": round(run.pass_rate, 4),
            }
            for run in found
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="eval runs")
    for column in ("run", "suite", "started", "passed", "rate", "brain", "time"):
        table.add_column(column, no_wrap=column == "run")
    for run_record in found:
        table.add_row(
            run_record.id,
            run_record.suite,
            f"{run_record.started_at:%Y-%m-%d %H:%M:%S}",
            f"{run_record.cases_passed}/{run_record.cases_total}",
            f"{run_record.pass_rate:.1%}",
            run_record.brain,
            f"{run_record.seconds:.1f}s",
        )
    console.print(table)


@eval_app.command("compare")
def compare_runs(
    run_a: Annotated[str, typer.Argument(help="The earlier run (an id or a unique prefix).")],
    run_b: Annotated[str, typer.Argument(help="The later run.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
    config: ConfigOption = None,
) -> None:
    """What got better or worse from RUN_A to RUN_B, by case and by capability."""
    from intelligent_office.evals import EvalReport, compare
    from intelligent_office.settings import load_settings

    store = open_store(load_settings(config))
    a = EvalReport.from_record(store.evals.require(run_a))
    b = EvalReport.from_record(store.evals.require(run_b))
    comparison = compare(a, b)
    if as_json:
        typer.echo(comparison.model_dump_json(indent=2))
        return
    _print_comparison(a, b, comparison)


def _print_comparison(a: EvalReport, b: EvalReport, comparison: Comparison) -> None:
    console.print(
        f"A {a.run_id}  {a.passed}/{len(a.cases)} ({a.pass_rate:.1%})  {a.brain}\n"
        f"B {b.run_id}  {b.passed}/{len(b.cases)} ({b.pass_rate:.1%})  {b.brain}"
    )
    scores = Table(title="pass rate by capability")
    for column in ("capability", "A", "B", "change"):
        scores.add_column(column)
    for name, before, after in comparison.scores:
        rate_a = before.rate if before else None
        rate_b = after.rate if after else None
        change = ""
        if rate_a is not None and rate_b is not None and rate_a != rate_b:
            style = "green" if rate_b > rate_a else "red"
            change = f"[{style}]{rate_b - rate_a:+.0%}[/]"
        scores.add_row(
            name,
            f"{before.passed}/{before.total}" if before else "—",
            f"{after.passed}/{after.total}" if after else "—",
            change,
        )
    console.print(scores)
    sections: list[tuple[str, list[CaseChange], str]] = [
        ("worse (passed in A, fail in B)", comparison.broken, "red"),
        ("better (failed in A, pass in B)", comparison.fixed, "green"),
        ("new in B", comparison.added, ""),
        ("gone from B", comparison.removed, "dim"),
    ]
    for title, changes, style in sections:
        if not changes:
            continue
        console.print(f"[bold {style}]{title}: {len(changes)}[/]")
        for case in changes:
            why = f"  {case.why}" if case.why else ""
            console.print(f"  {case.case_id} ({case.capability}){why}")
    if not (comparison.broken or comparison.fixed or comparison.added or comparison.removed):
        console.print("no case changed")
