"""Time travel on stored runs: `office steps RUN` lists a run's steps, `office fork` re-runs
from one of them with its input or the task's text edited."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from intelligent_office.cli.context import AppContext, ConfigOption, console
from intelligent_office.errors import UserError

if TYPE_CHECKING:
    from pydantic import JsonValue

__all__ = ["register"]

INPUT_CELL_CHARS = 120


def register(app: typer.Typer) -> None:
    """Add the fork commands to the app."""
    app.command("steps")(steps)
    app.command("fork")(fork)


def _run_id(app: AppContext, run_or_task: str) -> str:
    """A run id from a run id or a task id (its latest run)."""
    if app.store.tasks.get(run_or_task) is not None:
        latest = app.store.runs.recent(task_id=run_or_task, limit=1)
        if latest:
            return latest[0].run_id
    return app.store.runs.require(run_or_task).run_id


def steps(
    run: Annotated[str, typer.Argument(help="A run id, or a task id for its latest run.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the steps as JSON, with their whole inputs.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """List a run's steps in the order they finished: the points `office fork --at` takes.

    Each step shows when it started, how long it took and what it was given (its input,
    cut to one line; `--json` prints it whole).
    """
    from intelligent_office.run_forks import run_steps

    app = AppContext.open(config)
    run_id = _run_id(app, run)
    if as_json:
        rows = [vars(step) for step in run_steps(app.store, run_id)]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"steps of run {run_id}")
    for column in ("#", "step", "activity", "started", "took", "input", "outcome"):
        table.add_column(column, overflow="fold")
    for step in run_steps(app.store, run_id):
        outcome = Text("ok", style="green") if step.ok else Text(step.error or "failed", "red")
        table.add_row(
            str(step.number),
            step.key,
            step.activity,
            _clock(step.started_at),
            _took(step.started_at, step.recorded_at),
            _brief(step.input),
            outcome,
        )
    console.print(table)


def _clock(stamp: str | None) -> str:
    """A step's start as a UTC time of day with milliseconds; "-" when it was not kept."""
    if not stamp:
        return "-"
    return datetime.fromisoformat(stamp).strftime("%H:%M:%S.%f")[:-3]


def _took(started: str | None, finished: str) -> str:
    if not started or not finished:
        return "-"
    seconds = (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds()
    return f"{max(seconds, 0.0):.3f} s"


def _brief(value: JsonValue) -> str:
    """The step's input as one line of JSON, cut to what fits a table cell."""
    if value is None:
        return "-"
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= INPUT_CELL_CHARS else text[: INPUT_CELL_CHARS - 1] + "…"


def fork(
    run: Annotated[str, typer.Argument(help="A run id, or a task id for its latest run.")],
    at: Annotated[str, typer.Option("--at", help="The step: its number or key (`office steps`).")],
    input_patch: Annotated[
        str | None,
        typer.Option("--input", help="JSON merged into the step's input (objects key by key)."),
    ] = None,
    description: Annotated[
        str | None, typer.Option("--description", help="The task's new text.")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Run the fork here now (else a worker picks it up).")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Re-run a run from one of its steps: the steps before are replayed, not redone."""
    from intelligent_office.run_forks import ForkRequest, fork_run

    patch = None
    if input_patch is not None:
        try:
            patch = json.loads(input_patch)
        except json.JSONDecodeError as error:
            raise UserError(f"--input is not JSON ({error.msg} at character {error.pos})") from None
    app = AppContext.open(config)
    request = ForkRequest(
        run_id=_run_id(app, run), at=at, input_patch=patch, description=description
    )
    made = fork_run(app.store, app.worker(), request)
    console.print(
        f"forked run {made.parent_run_id} at step {made.step}: new task"
        f" [bold]{made.task.task_id}[/], run {made.run.run_id}"
        f" ({made.replayed_steps} earlier steps will be replayed)"
    )
    if not resume:
        console.print(
            f"it runs under `office serve`, or now with `office resume {made.run.run_id}`"
        )
        return
    from intelligent_office.cli.runs import resume as resume_run

    resume_run(run_id=made.run.run_id, config=config)
