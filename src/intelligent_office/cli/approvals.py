"""`office approvals`, `approve`, `deny` and `audit`: the decisions runs wait for, and their log."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from intelligent_office.cli.context import AppContext, ConfigOption, console
from intelligent_office.limits import MAX_LIST_LIMIT

__all__ = ["register"]

CommentOption = Annotated[
    str | None,
    typer.Option(
        "--comment", "--reason", help="Why; kept with the decision, audited, sent to the run."
    ),
]


def register(app: typer.Typer) -> None:
    """Add the approval commands to the app."""
    app.command("approvals")(list_approvals)
    app.command("approve")(approve)
    app.command("deny")(deny)
    app.command("audit")(audit)


def list_approvals(
    show_all: Annotated[
        bool, typer.Option("--all", help="Decided ones too, not only pending.")
    ] = False,
    task: Annotated[str | None, typer.Option(help="Only the approvals of this task.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print them as JSON.")] = False,
    config: ConfigOption = None,
) -> None:
    """List approvals waiting for a decision (or all of them), newest first."""
    app = AppContext.open(config)
    approvals = app.store.approvals.list(status=None if show_all else "pending", task_id=task)
    if as_json:
        body = [
            {
                "id": a.id,
                "task_id": a.task_id,
                "run_id": a.run_id,
                "kind": a.kind,
                "subject": a.subject,
                "detail": a.detail,
                "status": a.status,
                "requested_at": a.requested_at.isoformat(),
                "decided_at": a.decided_at.isoformat() if a.decided_at else None,
                "decided_by": a.decided_by,
                "comment": a.comment,
            }
            for a in approvals
        ]
        typer.echo(json.dumps(body, indent=2, default=str))
        return
    table = Table(title="approvals" if show_all else "pending approvals")
    table.add_column("id", no_wrap=True)
    for column in ("task", "kind", "subject", "status", "requested at"):
        table.add_column(column)
    for approval in approvals:
        table.add_row(
            approval.id,
            approval.task_id,
            approval.kind,
            approval.subject,
            approval.status,
            f"{approval.requested_at:%Y-%m-%d %H:%M:%S}",
        )
    console.print(table)


def approve(
    approval_id: Annotated[str, typer.Argument(help="An id from `office approvals`.")],
    comment: CommentOption = None,
    config: ConfigOption = None,
) -> None:
    """Approve a pending approval and let the waiting run go on."""
    _decide(approval_id, "approved", comment, config)


def deny(
    approval_id: Annotated[str, typer.Argument(help="An id from `office approvals`.")],
    comment: CommentOption = None,
    config: ConfigOption = None,
) -> None:
    """Deny a pending approval; the waiting run is told so."""
    _decide(approval_id, "denied", comment, config)


def _decide(
    approval_id: str,
    decision: Literal["approved", "denied"],
    comment: str | None,
    config_file: Path | None,
) -> None:
    app = AppContext.open(config_file)
    user = getpass.getuser()
    approval = app.service.decide_approval(approval_id, decision, by=user, comment=comment)
    console.print(
        f"{decision} {approval.kind} approval {approval.id} (task {approval.task_id}): "
        f"{approval.subject}"
    )


def audit(
    task: Annotated[str | None, typer.Option(help="Only this task's entries.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=MAX_LIST_LIMIT)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    config: ConfigOption = None,
) -> None:
    """The audit log: every policy decision and human decision, newest first."""
    app = AppContext.open(config)
    entries = app.store.audit.recent(task_id=task, limit=limit)
    if as_json:
        rows = [
            {
                "time": e.time.isoformat(),
                "task_id": e.task_id,
                "actor": e.actor,
                "action": e.action,
                "subject": e.subject,
                "rule": e.rule,
                "reason": e.reason,
            }
            for e in entries
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    if not entries:
        console.print("the audit log is empty")
        return
    table = Table()
    for column in ("time", "task", "actor", "action", "subject", "rule", "reason"):
        table.add_column(column)
    for e in entries:
        table.add_row(
            f"{e.time:%Y-%m-%d %H:%M:%S}",
            e.task_id or "",
            e.actor,
            e.action,
            e.subject,
            e.rule or "",
            e.reason,
        )
    console.print(table)
