"""`office dlq`: list, inspect and resubmit tasks that went to the dead-letter queue."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from intelligent_office.cli.context import AppContext, ConfigOption, console
from intelligent_office.cli.task_view import TaskView
from intelligent_office.cli.tasks import follow_task, task_listener
from intelligent_office.limits import MAX_LIST_LIMIT

__all__ = ["register"]

dlq_app = typer.Typer(help="The dead-letter queue: tasks that could not be finished.")


def register(app: typer.Typer) -> None:
    """Add `office dlq ...` to the app."""
    app.add_typer(dlq_app, name="dlq")


@dlq_app.command("list")
def list_dead_letters(
    category: Annotated[
        str | None,
        typer.Option(help="validation, timeout, resource, transient, review or policy."),
    ] = None,
    pending: Annotated[bool, typer.Option(help="Only those not retried yet.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=MAX_LIST_LIMIT)] = 30,
    config: ConfigOption = None,
) -> None:
    """List dead letters, newest first."""
    app = AppContext.open(config)
    table = Table(title="dead letters")
    table.add_column("id", no_wrap=True, min_width=36)
    for column in ("category", "created", "task", "retried as", "reason"):
        table.add_column(column)
    for letter in app.store.dead_letters.recent(
        category=category, pending_only=pending, limit=limit
    ):
        table.add_row(
            letter.id,
            letter.category,
            f"{letter.created_at:%Y-%m-%d %H:%M:%S}",
            letter.task_id,
            letter.retry_task_id or "",
            letter.reason[:80],
        )
    console.print(table)


@dlq_app.command("show")
def show_dead_letter(
    dead_letter_id: Annotated[str, typer.Argument(help="An id from `office dlq list`.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print it whole as JSON.")] = False,
    config: ConfigOption = None,
) -> None:
    """Show a dead letter: why, the task, and every iteration of every subtask."""
    app = AppContext.open(config)
    letter = app.store.dead_letters.require(dead_letter_id)
    if as_json:
        body = {
            "id": letter.id,
            "task_id": letter.task_id,
            "run_id": letter.run_id,
            "category": letter.category,
            "reason": letter.reason,
            "created_at": letter.created_at.isoformat(),
            "retried_at": letter.retried_at.isoformat() if letter.retried_at else None,
            "retry_task_id": letter.retry_task_id,
            "history": letter.history,
        }
        typer.echo(json.dumps(body, indent=2, default=str))
        return
    task = letter.history.get("task") or {}
    console.print(f"dead letter [bold]{letter.id}[/]  category [red]{letter.category}[/]")
    console.print(f"task {letter.task_id}: {task.get('description', '')}")
    console.print(f"[red]reason[/]: {letter.reason}")
    if letter.retry_task_id:
        console.print(f"retried as task {letter.retry_task_id} at {letter.retried_at}")
    view = TaskView(title="history")
    for event in app.store.events.read(letter.task_id, limit=100_000):
        view.on_event(event.type, event.payload)
    console.print(view)


@dlq_app.command("retry")
def retry_dead_letter(
    dead_letter_id: Annotated[str, typer.Argument(help="An id from `office dlq list`.")],
    description: Annotated[
        str | None, typer.Option(help="A corrected task description to use instead.")
    ] = None,
    again: Annotated[
        bool, typer.Option("--again", help="Retry even if it was retried before.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    config: ConfigOption = None,
) -> None:
    """Resubmit a dead letter's task as a new task (optionally edited) and run it."""
    app = AppContext.open(config)
    view = TaskView(title=description or "retry")
    worker = app.office.worker(listener=task_listener(view, as_json=as_json))
    record, submitted = app.office.retry_dead_letter(
        worker, dead_letter_id, description, again=again
    )
    view.title = record.description.splitlines()[0][:80]
    if not as_json:
        console.print(f"retrying dead letter {dead_letter_id} as task [bold]{record.task_id}[/]")
    follow_task(app, worker, record, submitted, view, as_json=as_json)
