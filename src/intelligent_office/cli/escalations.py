"""`office escalations`: results a reviewer could not judge, waiting for a person."""

from __future__ import annotations

import getpass
from typing import Annotated, Literal

import typer
from rich.table import Table

from intelligent_office.cli.context import AppContext, ConfigOption, console

__all__ = ["register"]

escalations_app = typer.Typer(
    help="Escalated results: accept them, ask for a revision, or fail them."
)
ApprovalId = Annotated[str, typer.Argument(help="An id from `office escalations list`.")]


def register(app: typer.Typer) -> None:
    """Add `office escalations` to the app."""
    app.add_typer(escalations_app, name="escalations")


@escalations_app.command("list")
def list_escalations(
    show_all: Annotated[bool, typer.Option("--all", help="Decided ones too.")] = False,
    config: ConfigOption = None,
) -> None:
    """Escalations waiting for a person (or all of them), newest first."""
    app = AppContext.open(config)
    found = [
        a
        for a in app.store.approvals.list(status=None if show_all else "pending", limit=500)
        if a.kind == "escalation"
    ]
    if not found:
        console.print("no escalations" if show_all else "no escalation is waiting")
        return
    table = Table(title="escalations")
    for column in ("id", "task", "question", "status"):
        table.add_column(column, no_wrap=column == "id")
    for a in found:
        table.add_row(a.id, a.task_id, str(a.detail.get("question", a.subject)), a.status)
    console.print(table)


def _decide(
    approval_id: str,
    decision: Literal["approved", "denied", "revised"],
    comment: str | None,
    config: ConfigOption,
) -> None:
    from intelligent_office.errors import UserError

    app = AppContext.open(config)
    if app.store.approvals.require(approval_id).kind != "escalation":
        raise UserError(f"approval {approval_id} is not an escalation: use `office approve`")
    record = app.office.decide_approval(
        approval_id, decision, by=getpass.getuser(), comment=comment
    )
    verb = {"approved": "accepted", "denied": "failed", "revised": "sent back for a revision"}
    console.print(f"{verb[decision]}: escalation {record.id} (task {record.task_id})")


@escalations_app.command("accept")
def accept(
    approval_id: ApprovalId,
    comment: Annotated[str | None, typer.Option("--comment", help="Why, kept.")] = None,
    config: ConfigOption = None,
) -> None:
    """Accept the escalated result: the subtask completes with it."""
    _decide(approval_id, "approved", comment, config)


@escalations_app.command("revise")
def revise(
    approval_id: ApprovalId,
    feedback: Annotated[
        str, typer.Option("--feedback", help="What to change; the planner gets it.")
    ],
    config: ConfigOption = None,
) -> None:
    """Ask for another iteration with your feedback."""
    _decide(approval_id, "revised", feedback, config)


@escalations_app.command("fail")
def fail(
    approval_id: ApprovalId,
    reason: Annotated[str, typer.Option("--reason", help="Why; kept with the dead letter.")],
    config: ConfigOption = None,
) -> None:
    """Fail the result: the task goes to the dead-letter queue with your reason."""
    _decide(approval_id, "denied", reason, config)
