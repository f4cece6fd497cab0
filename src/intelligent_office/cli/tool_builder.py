"""`office tools build|drafts|review|approve|reject|disable|enable|remove|retry`: the builder."""

from __future__ import annotations

import asyncio
import getpass
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from intelligent_office.cli.context import AppContext, ConfigOption, console

if TYPE_CHECKING:
    from intelligent_office.tools.builder.builder import ToolBuilder
    from intelligent_office.tools.builder.drafts import ToolDraft

__all__ = ["register", "tool_builder"]

DraftArgument = Annotated[str, typer.Argument(help="A draft id from `office tools drafts`.")]


def register(tools_app: typer.Typer) -> None:
    """Add the builder's commands under `office tools`."""
    for name, command in (
        ("build", build),
        ("drafts", drafts),
        ("review", review),
        ("approve", approve),
        ("reject", reject),
        ("disable", disable),
        ("enable", enable),
        ("remove", remove),
        ("retry", retry),
    ):
        tools_app.command(name)(command)


def tool_builder(app: AppContext) -> ToolBuilder:
    """The builder over the app's store, with the planner models when any are configured."""
    from intelligent_office.tools.builder.builder import ToolBuilder

    router = None
    if app.settings.llm.enabled:
        from intelligent_office.llm.router import LLMRouter

        router = LLMRouter(app.settings.llm, app.settings.budgets, app.store)
    return ToolBuilder(app.settings, app.store, router=router)


def _summary(draft: ToolDraft) -> None:
    test = draft.spec.get("test") or {}
    verdict = "passed" if test.get("passed") else "FAILED" if test else "not run"
    console.print(
        f"draft [bold]{draft.id}[/] for gap {draft.gap_id}: server {draft.name}"
        f" ({draft.shape}, risk {draft.risk}, by {draft.spec.get('author')}) - {draft.status};"
        f" tests {verdict}; tools {', '.join(draft.tool_names)}"
    )


def build(
    gap_id: Annotated[int, typer.Argument(help="A gap report id from `office gaps`.")],
    config: ConfigOption = None,
) -> None:
    """Draft an MCP server for a tool-gap report (a model, else a template) and test it."""
    app = AppContext.open(config)
    draft = asyncio.run(tool_builder(app).build(gap_id, by=getpass.getuser()))
    _summary(draft)
    console.print(f"review it with `office tools review {draft.id}`")


def drafts(config: ConfigOption = None) -> None:
    """Every tool draft, newest first."""
    from intelligent_office.tools.builder.drafts import ToolDraftRepository

    app = AppContext.open(config)
    table = Table(title="tool drafts")
    for column in ("id", "gap", "server", "shape", "risk", "status", "tests", "tools"):
        table.add_column(column)
    for draft in ToolDraftRepository(app.store.engine).recent():
        test = draft.spec.get("test") or {}
        table.add_row(
            draft.id,
            str(draft.gap_id),
            draft.name,
            draft.shape,
            draft.risk,
            draft.status,
            "passed" if test.get("passed") else "failed" if test else "-",
            ", ".join(draft.tool_names),
        )
    console.print(table)


def review(
    draft_id: DraftArgument,
    as_json: Annotated[bool, typer.Option("--json", help="Print the draft as JSON.")] = False,
    config: ConfigOption = None,
) -> None:
    """Show a draft for review: risk, schema, every file and the sandboxed test output."""
    from rich.syntax import Syntax  # pygments and its lexers: only for this command

    app = AppContext.open(config)
    draft = tool_builder(app).drafts.require(draft_id)
    if as_json:
        typer.echo(json.dumps({"id": draft.id, "status": draft.status, **draft.spec}, indent=2))
        return
    _summary(draft)
    for tool in draft.spec.get("tools") or []:
        console.print(f"tool {tool['name']}: {tool['description']}")
        console.print(json.dumps(tool.get("parameters"), indent=2))
    for name, text in draft.files.items():
        console.rule(name)
        console.print(Syntax(text, "python", line_numbers=True))
    test = draft.spec.get("test") or {}
    console.rule("tests in the sandbox")
    typer.echo(str(test.get("output", "not run")))


def approve(
    draft_id: DraftArgument,
    comment: Annotated[str, typer.Option(help="Why, for the audit log.")] = "",
    config: ConfigOption = None,
) -> None:
    """Register a tested draft: the next run starts its server and lists its tools."""
    app = AppContext.open(config)
    draft = tool_builder(app).approve(draft_id, by=getpass.getuser(), comment=comment)
    _summary(draft)
    console.print(f"retry the task that lacked it with `office tools retry {draft.gap_id}`")


def reject(
    draft_id: DraftArgument,
    reason: Annotated[str, typer.Option(help="Why, for the audit log.")] = "",
    config: ConfigOption = None,
) -> None:
    """Turn a draft down."""
    app = AppContext.open(config)
    _summary(tool_builder(app).reject(draft_id, by=getpass.getuser(), reason=reason))


def disable(draft_id: DraftArgument, config: ConfigOption = None) -> None:
    """Stop starting a registered tool's server."""
    app = AppContext.open(config)
    _summary(tool_builder(app).disable(draft_id, by=getpass.getuser()))


def enable(draft_id: DraftArgument, config: ConfigOption = None) -> None:
    """Register a disabled tool again."""
    app = AppContext.open(config)
    _summary(tool_builder(app).enable(draft_id, by=getpass.getuser()))


def remove(draft_id: DraftArgument, config: ConfigOption = None) -> None:
    """Unregister a tool and delete its files."""
    app = AppContext.open(config)
    _summary(tool_builder(app).remove(draft_id, by=getpass.getuser()))


def retry(
    gap_id: Annotated[int, typer.Argument(help="The gap report whose task to run again.")],
    workspace: Annotated[
        Path | None, typer.Option(help="Run it here instead of the task's own workspace.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    config: ConfigOption = None,
) -> None:
    """Run the task that reported a gap again, as a new task (with the tools now registered)."""
    from intelligent_office.cli.task_view import TaskView
    from intelligent_office.cli.tasks import follow_task
    from intelligent_office.tools.builder.retry import retry_gap_task

    app = AppContext.open(config)
    view = TaskView(title="retry")
    worker = app.office.worker(listener=lambda _run, kind, payload: view.on_event(kind, payload))
    gap = tool_builder(app).gap(gap_id)
    record, submitted = retry_gap_task(app.office, worker, gap, workspace=workspace)
    view.title = record.description.splitlines()[0][:80]
    if not as_json:
        console.print(f"retrying gap {gap_id}'s task as task [bold]{record.task_id}[/]")
    follow_task(app, worker, record, submitted, view, as_json=as_json)
