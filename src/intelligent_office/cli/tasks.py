"""Commands for Office tasks: run, tasks, and the task side of show."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from intelligent_office.cli import collector
from intelligent_office.cli.context import (
    AppContext,
    ConfigOption,
    console,
    finite,
    quiet_logs,
)
from intelligent_office.cli.task_view import TaskView, plain_line
from intelligent_office.limits import MAX_LIST_LIMIT
from intelligent_office.store import RunRecord, RunStatus, TaskRecord

if TYPE_CHECKING:  # the Office loads when a command runs, not for --help
    from pydantic import JsonValue

    from intelligent_office.office import OfficeOutput
    from intelligent_office.runtime.worker import LocalWorker, RunListener

__all__ = [
    "INTERRUPTED",
    "follow_task",
    "paused",
    "paused_line",
    "register",
    "show_task",
    "task_ending",
    "task_listener",
]

INTERRUPTED = 130
"""The exit code of a command stopped by Ctrl-C (128 + SIGINT), as shells report it."""

_STATUS_STYLE = {
    "completed": "green",
    "dead_lettered": "bold red",
    "failed": "bold red",
    "unsupported": "yellow",
    "running": "cyan",
    "queued": "dim",
}


def register(app: typer.Typer) -> None:
    """Add the task commands to the app."""
    app.command("run")(run)
    app.command("tasks")(list_tasks)


def run(
    description: Annotated[str, typer.Argument(help="The task, in plain language.")],
    workspace: Annotated[
        Path, typer.Option(help="Directory the task's tools are confined to.")
    ] = Path("."),
    allow_tool: Annotated[
        list[str] | None,
        typer.Option("--allow-tool", help="Only these tools may run (repeat the option)."),
    ] = None,
    priority: Annotated[int, typer.Option(min=0, max=10, help="Queue priority.")] = 5,
    max_cost: Annotated[
        float | None,
        typer.Option(min=0, callback=finite, help="Most the task may spend on models, in USD."),
    ] = None,
    max_tokens: Annotated[
        int | None, typer.Option(min=1, help="Most model tokens the task may use.")
    ] = None,
    signoff: Annotated[
        bool,
        typer.Option(
            "--signoff", help="Each plan waits for a person (`office approve`) before it runs."
        ),
    ] = False,
    criterion: Annotated[
        list[str] | None,
        typer.Option(
            "--criterion", help="An acceptance criterion in words, for the reviewer (repeat)."
        ),
    ] = None,
    check: Annotated[
        list[str] | None,
        typer.Option(
            "--check",
            help="A machine check: regex:PATTERN (the answer matches), file:PATH (exists in"
            " the workspace) or command:CMD (exits 0 in the sandbox). Repeat the option.",
        ),
    ] = None,
    max_duration: Annotated[
        float | None,
        typer.Option(
            min=0.001, callback=finite, help="Most seconds the task may take; then it stops."
        ),
    ] = None,
    deadline: Annotated[
        str | None,
        typer.Option(help="When the task must be done by, ISO 8601 (e.g. 2026-12-31T18:00Z)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    config: ConfigOption = None,
) -> None:
    """Get a task done: decompose, plan, validate, execute and review, with live progress."""
    from intelligent_office.memory.early_embedder import early_embedder
    from intelligent_office.settings import load_settings
    from intelligent_office.state_files import refuse_state_files
    from intelligent_office.task_input import criteria_from_options, new_task

    task = new_task(
        description,
        workspace=workspace,
        allowed_tools=allow_tool,
        priority=priority,
        max_cost=max_cost,
        max_tokens=max_tokens,
        signoff=signoff,
        criteria=criteria_from_options(criterion or [], check or []),
        max_duration=max_duration,
        deadline=_moment(deadline),
    )
    # Before the store opens: the tools must never see the database or the settings file.
    settings = load_settings(config)
    refuse_state_files(settings, workspace)
    # The plan's recall embeds: the model loads beside the Office's modules, when it will.
    embedder = early_embedder(settings, task.user_id or "local", task.description)
    app = AppContext.from_settings(settings, memory_embedder=embedder)
    view = TaskView(title=task.description.splitlines()[0][:80])
    worker = app.office.worker(listener=task_listener(view, as_json=as_json))
    record, submitted = app.office.submit(worker, task)
    if not as_json:
        console.print(f"task [bold]{record.task_id}[/]  workspace {task.context['workspace']}")
    follow_task(app, worker, record, submitted, view, as_json=as_json)


def task_listener(view: TaskView, *, as_json: bool) -> RunListener:
    """Feed the live view; without one (no terminal, or `--json`), say in plain text what
    a person must do: approve or deny a step the task waits on."""
    plain = as_json or not console.is_terminal

    def listener(_run: str, kind: str, payload: dict[str, JsonValue]) -> None:
        view.on_event(kind, payload)
        line = plain_line(kind, payload) if plain else None
        if line is not None:
            typer.echo(line, err=as_json)  # with --json, stdout holds the JSON alone

    return listener


def _moment(text: str | None) -> datetime | None:
    """An ISO 8601 time; one without a zone is UTC."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not an ISO 8601 time: write e.g. 2026-12-31T18:00Z",
            param_hint="--deadline",
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def follow_task(
    app: AppContext,
    worker: LocalWorker,
    record: TaskRecord,
    submitted: RunRecord,
    view: TaskView,
    *,
    as_json: bool,
) -> None:
    """Run a submitted task to its end with the live view, print the answer, set the exit code.

    Ctrl-C pauses the task: the worker gives the run back, and `office resume` goes on
    from its journal.
    """
    import asyncio

    collector.loaded()
    work = worker.run(submitted.run_id)
    try:
        with quiet_logs():
            if as_json:
                finished = asyncio.run(work)
            else:
                try:
                    with Live(view, console=console, refresh_per_second=8, transient=False):
                        finished = asyncio.run(work)
                finally:  # the live view's last frame ends its line, even on Ctrl-C
                    console.line()
    except KeyboardInterrupt:  # a second Ctrl-C, or one before the loop ran
        paused(record.task_id)
    code = task_ending(app, record.task_id, finished, as_json=as_json)
    if code:
        raise typer.Exit(code)


def paused_line(task_id: str) -> str:
    """The one line that says a task is paused, and how to go on."""
    return (
        f"office: task {task_id} paused (interrupted); nothing is lost:"
        f" `office resume {task_id}` carries on from where it stopped"
    )


def paused(task_id: str) -> NoReturn:
    """Say that the task is paused and how to go on, and exit as an interrupted command."""
    typer.echo(paused_line(task_id), err=True)
    raise typer.Exit(INTERRUPTED)


def task_ending(app: AppContext, task_id: str, finished: RunRecord, *, as_json: bool) -> int:
    """Print how a task's run ended (its outcome and answer) and return the exit code.

    `office run`, `office dlq retry` and `office resume` end the same way: 0 when the
    task completed, 1 otherwise; a run given back unfinished (Ctrl-C) is paused.
    """
    from intelligent_office.office import OfficeOutput, TaskStatus

    if finished.status is RunStatus.RUNNING:  # the worker gave it back: interrupted
        paused(task_id)
    output = OfficeOutput.model_validate(finished.result) if finished.result else None
    if as_json:
        body = {
            "task_id": task_id,
            "run_id": finished.run_id,
            "run_status": finished.status.value,
            "error": finished.error,
            "result": output.model_dump(mode="json") if output else None,
        }
        typer.echo(json.dumps(body, indent=2))
    elif output is not None:
        _print_answer(output)
        _print_spend(app, task_id)
    else:
        console.print(f"[red]run {finished.status.value}[/]: {finished.error}")
    if finished.status is not RunStatus.COMPLETED or output is None:
        return 1
    return 0 if output.status is TaskStatus.COMPLETED else 1


def _print_answer(output: OfficeOutput) -> None:
    style = _STATUS_STYLE.get(output.status.value, "")
    title = Text.assemble("answer  ", (output.status.value, style))
    console.print(Panel(Text(output.answer), title=title, title_align="left", expand=False))
    for gap in output.gaps:
        console.print_json(gap.model_dump_json())


def _print_spend(app: AppContext, task_id: str) -> None:
    spent = app.store.llm_calls.spent(task_id)
    if spent.calls:
        console.print(
            f"model calls {spent.calls}  tokens {spent.tokens}  cost ${spent.cost_usd:.6f}"
            f"  (office costs --task {task_id})"
        )


TASK_STATUSES = (
    "queued",
    "running",
    "completed",
    "unsupported",
    "dead_lettered",
    "cancelled",
    "failed",
)


def _known_status(status: str | None) -> str | None:
    if status is not None and status not in TASK_STATUSES:
        raise typer.BadParameter(f"{status!r} is not one of {', '.join(TASK_STATUSES)}")
    return status


def list_tasks(
    status: Annotated[
        str | None,
        typer.Option(help="Only tasks in this status.", callback=_known_status),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=MAX_LIST_LIMIT)] = 30,
    config: ConfigOption = None,
) -> None:
    """List recent tasks, newest first."""
    app = AppContext.open(config)
    table = Table(title="tasks")
    table.add_column("task", no_wrap=True, min_width=32)
    for column in ("status", "created", "description"):
        table.add_column(column)
    for task in app.store.tasks.recent(status=status, limit=limit):
        table.add_row(
            task.task_id,
            Text(task.status, style=_STATUS_STYLE.get(task.status, "")),
            f"{task.created_at:%Y-%m-%d %H:%M:%S}",
            task.description.splitlines()[0][:70],
        )
    console.print(table)


def show_task(app: AppContext, task: TaskRecord, events: int) -> None:
    """Show an Office task: its subtasks, plans, steps, reviews, answer and latest events."""
    from intelligent_office.cli.events import events_table
    from intelligent_office.office import OfficeOutput

    runs = app.store.runs.recent(task_id=task.task_id, limit=1)
    style = _STATUS_STYLE.get(task.status, "")
    console.print(f"task [bold]{task.task_id}[/]  [{style}]{task.status}[/]  {task.user_id}")
    console.print(f"  {task.description}")
    if task.trace_id:
        console.print(f"  trace {task.trace_id}")
    forked_from = task.body.get("context", {}).get("forked_from")
    if isinstance(forked_from, dict):
        console.print(
            f"  forked from task {forked_from.get('task_id')} (run {forked_from.get('run_id')})"
            f" at step {forked_from.get('step')}"
        )
    stream = app.store.events.read(task.task_id, limit=100_000)
    view = TaskView(title=task.description.splitlines()[0][:80])
    for event in stream:
        view.on_event(event.type, event.payload)
    console.print(view)
    if runs and runs[0].result:
        output = OfficeOutput.model_validate(runs[0].result)
        console.print(_details_table(output))
        criteria = _criteria_table(output)
        if criteria.row_count:
            console.print(criteria)
        _print_answer(output)
    elif runs and runs[0].error:
        console.print(f"[red]run {runs[0].status.value}[/]: {runs[0].error}")
    console.print(events_table(stream, events))


def _details_table(output: OfficeOutput) -> Table:
    """Every step of every iteration with its output or error."""
    table = Table(title="steps")
    for column in ("subtask", "iter", "step", "tool", "status", "output / error", "review"):
        table.add_column(column)
    for subtask_id, outcome in output.subtasks.items():
        for record in outcome.iterations:
            review = record.review.decision.value if record.review else ""
            if record.validation and record.validation.decision.value == "REJECTED":
                table.add_row(subtask_id, str(record.iteration), "", "", "rejected", "", "")
                continue
            for step in record.execution.steps if record.execution else []:
                action = record.plan.step(step.step_id).action if record.plan else ""
                detail = step.errors[-1] if step.errors else json.dumps(step.outputs, default=str)
                table.add_row(
                    subtask_id,
                    str(record.iteration),
                    step.step_id,
                    action,
                    step.status.value,
                    detail[:80],
                    review,
                )
    return table


def _criteria_table(output: OfficeOutput) -> Table:
    """Each acceptance criterion of each review, passed or failed, and why."""
    table = Table(title="acceptance criteria")
    for column in ("subtask", "iter", "criterion", "result", "why"):
        table.add_column(column)
    for subtask_id, outcome in output.subtasks.items():
        for record in outcome.iterations:
            for item in record.review.criteria if record.review else []:
                result = "[green]pass[/]" if item.passed else "[red]FAIL[/]"
                table.add_row(
                    subtask_id,
                    str(record.iteration),
                    item.criterion.describe()[:60],
                    result,
                    f"{item.detail[:70]} ({item.judged_by})",
                )
    return table
