"""`office approvals`, `approve`, `deny` and `audit`: the decisions runs wait for, and their log."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.table import Table

from intelligent_office.cli.context import AppContext, ConfigOption, console
from intelligent_office.limits import MAX_LIST_LIMIT

if TYPE_CHECKING:
    from pydantic import JsonValue

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
    app.command("approval")(show_approval)
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
                "response": a.response,
            }
            for a in approvals
        ]
        typer.echo(json.dumps(body, indent=2, default=str))
        return
    table = Table(title="approvals" if show_all else "pending approvals")
    table.add_column("id", no_wrap=True)
    for column in ("task", "kind", "subject", "risk", "status", "requested at"):
        table.add_column(column)
    for approval in approvals:
        score = approval.detail.get("score", approval.detail.get("max_score"))
        table.add_row(
            approval.id,
            approval.task_id,
            approval.kind,
            approval.subject,
            "" if score is None else f"{score}/100",
            approval.status,
            f"{approval.requested_at:%Y-%m-%d %H:%M:%S}",
        )
    console.print(table)


def show_approval(
    approval_id: Annotated[str, typer.Argument(help="An id from `office approvals`.")],
    config: ConfigOption = None,
) -> None:
    """One approval in full: a plan's steps and risks, an escalation's question and outputs."""
    app = AppContext.open(config)
    approval = app.store.approvals.require(approval_id)
    detail = approval.detail
    console.print(f"[bold]{approval.kind}[/] approval {approval.id} ({approval.status})")
    console.print(f"task {approval.task_id}: {approval.subject}")
    if approval.kind == "plan":
        table = Table(title=f"plan {detail.get('plan_id')} (confidence {detail.get('confidence')})")
        for column in ("step", "tool", "input (JSON)", "risk", "decision"):
            table.add_column(column)
        steps = detail.get("steps")
        for step in steps if isinstance(steps, list) else []:
            table.add_row(
                str(step.get("step_id")),
                str(step.get("tool")),
                json.dumps(step.get("inputs"), default=str),
                f"{step.get('score')}/100",
                str(step.get("decision")),
            )
        console.print(table)
        console.print(
            "approve: `office approve ID [--edit STEP='{\"arg\": ...}']`;"
            " reject: `office deny ID --reason ...`"
        )
    elif approval.kind == "escalation":
        console.print(f"question: {detail.get('question')}")
        console.print(f"answer: {detail.get('answer') or '(none)'}")
        console.print(json.dumps(detail.get("outputs"), indent=2, default=str), markup=False)
        console.print(
            "`office escalations accept|revise --feedback ...|fail --reason ...` decides it"
        )
    else:
        signals = detail.get("signals")
        if isinstance(signals, dict):
            console.print(f"risk {detail.get('score')}/100 ({detail.get('decision')})")
            for name, value in signals.items():
                console.print(f"  {name} = {value}")
    if approval.decided_by:
        console.print(f"decided by {approval.decided_by}: {approval.comment or ''}")


def approve(
    approval_id: Annotated[str, typer.Argument(help="An id from `office approvals`.")],
    comment: CommentOption = None,
    edit: Annotated[
        list[str] | None,
        typer.Option(
            "--edit",
            help='A plan step\'s new input: STEP=\'{"arg": "value"}\' (repeat the option).',
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Approve a pending approval and let the waiting run go on (a plan: maybe with edits)."""
    _decide(approval_id, "approved", comment, config, edits=_edits(edit or []))


def _edits(raw: list[str]) -> dict[str, dict[str, JsonValue]]:
    from intelligent_office.errors import UserError

    edits: dict[str, dict[str, JsonValue]] = {}
    for item in raw:
        step_id, sep, text = item.partition("=")
        try:
            value = json.loads(text) if sep else None
        except json.JSONDecodeError as error:
            raise UserError(
                f"--edit {step_id}: not JSON ({error.msg}): give STEP='{{...}}'"
            ) from None
        if not step_id or not isinstance(value, dict):
            raise UserError(f"--edit {item!r}: give STEP='{{\"arg\": ...}}', a JSON object")
        edits[step_id] = value
    return edits


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
    edits: dict[str, dict[str, JsonValue]] | None = None,
) -> None:
    app = AppContext.open(config_file)
    user = getpass.getuser()
    approval = app.office.decide_approval(
        approval_id, decision, by=user, comment=comment, edits=edits or None
    )
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
