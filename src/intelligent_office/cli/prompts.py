"""`office prompts`: versioned prompts per tier, candidates gated by the eval suite."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from intelligent_office.cli.context import ConfigOption, console, open_store
from intelligent_office.errors import UserError

if TYPE_CHECKING:
    from intelligent_office.learning.prompt_versions import PromptVersionRepository

__all__ = ["register"]

prompts_app = typer.Typer(
    no_args_is_help=True,
    help="Prompt versions per tier (offline: the guidance set), gated by `office eval`.",
)

TierArgument = Annotated[
    str, typer.Argument(help="offline, planner, decomposer, validator, reviewer or ai_tool.")
]
VersionArgument = Annotated[str, typer.Argument(help="A version id from `office prompts list`.")]


def register(app: typer.Typer) -> None:
    """Add `office prompts ...` to the app."""
    app.add_typer(prompts_app, name="prompts")


def _versions(config: Path | None) -> PromptVersionRepository:
    from intelligent_office.learning.prompt_versions import PromptVersionRepository
    from intelligent_office.settings import load_settings

    return PromptVersionRepository(open_store(load_settings(config)).engine)


@prompts_app.command("list")
def list_versions(
    tier: Annotated[str | None, typer.Option(help="Only this tier.")] = None,
    config: ConfigOption = None,
) -> None:
    """Every version of every tier's prompt, and which is current."""
    table = Table(title="prompt versions")
    for column in ("id", "tier", "version", "status", "parent", "model", "gate", "text"):
        table.add_column(column)
    for v in _versions(config).list(tier):
        gate = str(v.evaluation.get("reason", "")) if v.evaluation else ""
        first = v.text.strip().splitlines()[0][:60] if v.text.strip() else ""
        table.add_row(
            v.id, v.tier, str(v.version), v.status, v.parent_id or "", v.model or "", gate, first
        )
    console.print(table)


@prompts_app.command("show")
def show(version_id: VersionArgument, config: ConfigOption = None) -> None:
    """A version whole: its text and the gate's verdict."""
    v = _versions(config).require(version_id)
    console.print(f"[bold]{v.id}[/]  tier {v.tier}  version {v.version}  {v.status}")
    console.print(f"parent {v.parent_id or '-'}  model {v.model or '-'}  created {v.created_at}")
    typer.echo(v.text)
    if v.evaluation:
        typer.echo(json.dumps(v.evaluation, indent=2))


@prompts_app.command("candidate")
def candidate(
    tier: TierArgument,
    text_file: Annotated[
        Path | None, typer.Option("--file", help="The new prompt's text (planner tiers).")
    ] = None,
    guidance: Annotated[
        list[str] | None,
        typer.Option("--guidance", help="offline: a guidance id the rule set includes (repeat)."),
    ] = None,
    model: Annotated[str | None, typer.Option(help="The model it is meant for.")] = None,
    config: ConfigOption = None,
) -> None:
    """Propose a new version of a tier's prompt; it takes effect only once promoted."""
    if tier == "offline":
        if text_file is not None:
            text = text_file.read_text(encoding="utf-8")
        else:
            text = json.dumps({"guidance": sorted(guidance or [])})
    elif text_file is None:
        raise UserError(f"give the new {tier} prompt with --file PATH")
    else:
        text = text_file.read_text(encoding="utf-8")
    v = _versions(config).add_candidate(tier, text, model=model)
    console.print(
        f"candidate [bold]{v.id}[/] (parent {v.parent_id}); `office prompts evaluate {v.id} SUITE`"
    )


@prompts_app.command("evaluate")
def evaluate(
    version_id: VersionArgument,
    suite_file: Annotated[Path, typer.Argument(help="The eval suite, e.g. evals/office.yaml.")],
    promote: Annotated[
        bool | None,
        typer.Option(
            "--promote/--no-promote",
            help="Promote when it passes (default: the learning.auto_promote setting).",
        ),
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Cases run at once.")] = 4,
    config: ConfigOption = None,
) -> None:
    """Run the suite with the current version and with the candidate; promote only if better."""
    from intelligent_office.cli.context import AppContext
    from intelligent_office.learning.gate import evaluate_candidate
    from intelligent_office.learning.prompt_versions import PromptVersionRepository

    app = AppContext.open(config)
    versions = PromptVersionRepository(app.store.engine)
    version = versions.require(version_id)
    verdict, _, _ = asyncio.run(
        evaluate_candidate(
            app.office, version, suite_file, concurrency=concurrency, promote=promote
        )
    )
    table = Table(title=f"{version.id} against the current {version.tier} version")
    for column in ("capability", "current", "candidate"):
        table.add_column(column)
    for name, (before, after) in verdict.by_capability.items():
        style = "red" if any(loss.capability == name for loss in verdict.lost) else ""
        table.add_row(name, f"{before:.0%}", f"{after:.0%}", style=style)
    console.print(table)
    status = versions.require(version_id).status
    console.print(f"{verdict.reason}; {version_id} is {status}")
    if not verdict.passed:
        raise typer.Exit(1)


@prompts_app.command("promote")
def promote(
    version_id: VersionArgument,
    force: Annotated[
        bool, typer.Option("--force", help="Promote even without a passing evaluation.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Make a candidate current (a person's approval of what the gate passed)."""
    versions = _versions(config)
    v = versions.require(version_id)
    if not force and not v.evaluation.get("passed"):
        raise UserError(
            f"{version_id} has no passing evaluation: `office prompts evaluate {version_id} SUITE`"
            " first, or --force"
        )
    v = versions.promote(version_id)
    console.print(f"{v.id} is now the current {v.tier} version")


@prompts_app.command("rollback")
def rollback(tier: TierArgument, config: ConfigOption = None) -> None:
    """Restore the version the current one replaced."""
    restored, retired = _versions(config).rollback(tier)
    console.print(f"{restored.id} is current again; {retired.id} retired")
