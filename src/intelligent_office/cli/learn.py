"""`office learn`: failures grouped by cause, turned into planner guidance you can review."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from intelligent_office.cli.context import ConfigOption, console, open_store

if TYPE_CHECKING:
    from intelligent_office.settings import Settings
    from intelligent_office.store import Store

__all__ = ["register"]

learn_app = typer.Typer(
    invoke_without_command=True,
    help="Learn from failures: `office learn` turns dead letters and poor ratings into guidance.",
)
guidance_app = typer.Typer(help="Planner guidance learned from failures: review, disable, delete.")
learn_app.add_typer(guidance_app, name="guidance")


def register(app: typer.Typer) -> None:
    """Add `office learn ...` to the app."""
    app.add_typer(learn_app, name="learn")


def _store(config: Path | None) -> tuple[Settings, Store]:
    from intelligent_office.settings import load_settings

    settings = load_settings(config)
    return settings, open_store(settings)


@learn_app.callback()
def learn(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the guidance as JSON.")] = False,
    candidate: Annotated[
        bool,
        typer.Option(
            "--candidate",
            help="Also propose an offline prompt version with the proposed guidance, for"
            " `office prompts evaluate`.",
        ),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Group dead letters and poor ratings by cause and store guidance for each cause."""
    if ctx.invoked_subcommand is not None:
        return
    from intelligent_office.learning.analysis import learn as run_learning
    from intelligent_office.learning.analysis import propose_candidate

    settings, store = _store(config)
    report = run_learning(store, settings.learning)
    proposed = propose_candidate(store) if candidate else None
    if proposed is not None and not as_json:
        console.print(f"candidate {proposed}: `office prompts evaluate {proposed} SUITE`")
    if as_json:
        rows = [
            {"cause": key, "guidance_id": g.id, "text": g.text, "new": g.id in report.created}
            for key, g in report.guidance.items()
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    if not report.causes:
        console.print("no dead letters or poor ratings to learn from")
        return
    for cause in report.causes:
        record = report.guidance[cause.key]
        mark = "new" if record.id in report.created else "updated"
        console.print(f"[bold]{record.id}[/] ({mark}, {cause.count} failure(s)): {record.text}")


@learn_app.command("report")
def report(
    top: Annotated[int, typer.Option(min=1, max=200, help="How many causes to show.")] = 10,
    config: ConfigOption = None,
) -> None:
    """The top causes of failure, with an example each and the guidance it became."""
    from intelligent_office.learning.causes import error_pattern, find_causes
    from intelligent_office.learning.guidance_store import GuidanceRepository, guidance_id_for

    settings, store = _store(config)
    guidance = GuidanceRepository(store.engine)
    table = Table(title="causes of failure")
    for column in ("failures", "category", "request kind", "plan", "error", "example", "guidance"):
        table.add_column(column)
    for cause in find_causes(store, max_rating=settings.learning.max_rating)[:top]:
        first = cause.first
        record = guidance.get(guidance_id_for(cause.key))
        table.add_row(
            str(cause.count),
            first.category,
            first.intent,
            " -> ".join(first.shape) or "-",
            error_pattern(first.error)[:100],
            f"{first.request[:80]} ({first.source})",
            f"{record.id} [{record.status}]" if record else "(run `office learn`)",
        )
    console.print(table)


@guidance_app.command("list")
def list_guidance(
    as_json: Annotated[bool, typer.Option("--json", help="Print it whole as JSON.")] = False,
    config: ConfigOption = None,
) -> None:
    """Every piece of guidance: its status, how often it was used, and what it says."""
    from intelligent_office.learning.guidance_store import GuidanceRepository

    _, store = _store(config)
    records = GuidanceRepository(store.engine).all()
    if as_json:
        rows = [
            {
                "id": r.id,
                "status": r.status,
                "uses": r.uses,
                "text": r.text,
                "cause": r.cause,
                "adjustment": r.adjustment,
                "examples": r.examples,
                "evidence": r.evidence,
            }
            for r in records
        ]
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    table = Table(title="guidance")
    for column in ("id", "status", "uses", "adjustment", "guidance", "cause"):
        table.add_column(column)
    for r in records:
        table.add_row(
            r.id, r.status, str(r.uses), str(r.adjustment.get("kind", "")), r.text, r.cause[:80]
        )
    console.print(table)


def _set_status(guidance_id: str, status: str, config: ConfigOption) -> None:
    from intelligent_office.learning.guidance_store import GuidanceRepository

    _, store = _store(config)
    record = GuidanceRepository(store.engine).set_status(guidance_id, status)
    store.audit.add(
        actor="cli",
        action=f"guidance.{status}",
        subject=f"guidance {record.id}",
        reason=record.text,
    )
    console.print(f"guidance {record.id} is {record.status}")


@guidance_app.command("disable")
def disable(
    guidance_id: Annotated[str, typer.Argument(help="An id from `office learn guidance list`.")],
    config: ConfigOption = None,
) -> None:
    """Stop handing this guidance to the planner."""
    _set_status(guidance_id, "disabled", config)


@guidance_app.command("enable")
def enable(
    guidance_id: Annotated[str, typer.Argument(help="An id from `office learn guidance list`.")],
    config: ConfigOption = None,
) -> None:
    """Hand this guidance to the planner again."""
    _set_status(guidance_id, "enabled", config)


@guidance_app.command("delete")
def delete(
    guidance_id: Annotated[str, typer.Argument(help="An id from `office learn guidance list`.")],
    config: ConfigOption = None,
) -> None:
    """Delete this guidance (`office learn` makes it again if the failures recur)."""
    from intelligent_office.learning.guidance_store import GuidanceRepository

    _, store = _store(config)
    repository = GuidanceRepository(store.engine)
    record = repository.require(guidance_id)
    repository.delete(guidance_id)
    store.audit.add(
        actor="cli", action="guidance.deleted", subject=f"guidance {record.id}", reason=record.text
    )
    console.print(f"guidance {guidance_id} deleted")
