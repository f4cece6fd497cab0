"""Commands for durable DAG runs: run-workflow, runs, show, resume."""

from __future__ import annotations

import getpass
import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.live import Live
from rich.table import Table
from rich.text import Text

from intelligent_office.cli import collector
from intelligent_office.cli.context import AppContext, ConfigOption, console, quiet_logs
from intelligent_office.cli.live import STATUS_STYLE, GraphView
from intelligent_office.cli.task_view import TaskView, plain_line
from intelligent_office.cli.tasks import INTERRUPTED, paused, paused_line, task_ending
from intelligent_office.limits import MAX_CONCURRENCY, MAX_LIST_LIMIT
from intelligent_office.run_kinds import RunKind, run_kind
from intelligent_office.store import RunRecord, RunStatus

if TYPE_CHECKING:  # the workflows load when a run command runs, not for --help
    from pydantic import JsonValue

    from intelligent_office.workflows.graph_workflow import GraphRunOutput

RunView = GraphView | TaskView

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the run commands to the app."""
    app.command("run-workflow")(run_workflow)
    app.command("runs")(list_runs)
    app.command("show")(show)
    app.command("resume")(resume)


def run_workflow(
    file: Annotated[Path, typer.Argument(help="YAML workflow file.")],
    max_parallel: Annotated[
        int | None, typer.Option(min=1, max=MAX_CONCURRENCY, help="Nodes at once.")
    ] = None,
    priority: Annotated[int, typer.Option(min=0, max=10, help="Queue priority.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    config: ConfigOption = None,
) -> None:
    """Run a YAML workflow durably on the local runtime, with a live view of its nodes."""
    from intelligent_office.workflows.graph_workflow import (
        WORKFLOW_NAME,
        GraphRunInput,
        build_graph,
    )
    from intelligent_office.workflows.spec import load_workflow_file

    spec = load_workflow_file(file)
    build_graph(spec)  # cycles, unknown and duplicate ids fail here, before anything is stored
    app = AppContext.open(config)
    task, _ = app.store.tasks.create(
        task_id=uuid.uuid4().hex,
        user_id=getpass.getuser(),
        description=f"workflow {spec.name}",
        priority=priority,
        body={"workflow_file": str(file.resolve()), "workflow": spec.name},
        status="running",
    )
    run_input = GraphRunInput(
        spec=spec, max_parallel=max_parallel or app.settings.max_parallel_nodes
    )
    views: dict[str, RunView] = {}
    view = GraphView(title=spec.name, node_ids=[node.id for node in spec.nodes])
    worker = app.worker(
        listener=lambda run_id, kind, payload: views[run_id].on_event(kind, payload)
    )
    run = worker.submit(WORKFLOW_NAME, run_input, task_id=task.task_id, priority=priority)
    views[run.run_id] = view
    if not as_json:
        console.print(f"run [bold]{run.run_id}[/] (task {task.task_id})")
    try:
        finished = _run_live(views, worker.run(run.run_id), quiet=as_json)
    except KeyboardInterrupt:  # a second Ctrl-C, or one before the loop ran
        paused(task.task_id)
    _finish(app, finished, as_json)


def _run_live(views: dict[str, RunView], work: Any, *, quiet: bool) -> Any:
    import asyncio

    collector.loaded()
    with quiet_logs():
        if quiet:
            return asyncio.run(work)
        from rich.console import Group

        try:
            with Live(Group(*views.values()), console=console, refresh_per_second=8):
                return asyncio.run(work)
        finally:  # the view's last line may be a footer without a line break, even on Ctrl-C
            console.line()


def _finish(app: AppContext, record: RunRecord, as_json: bool) -> None:
    from intelligent_office.workflows.graph_workflow import GraphRunOutput

    if record.status is RunStatus.RUNNING:  # Ctrl-C: the worker gave the run back
        paused(record.task_id)
    app.store.tasks.set_status(record.task_id, record.status.value)
    output = GraphRunOutput.model_validate(record.result) if record.result else None
    if as_json:
        body = {
            "run_id": record.run_id,
            "status": record.status.value,
            "error": record.error,
            "result": output.model_dump(mode="json") if output else None,
        }
        typer.echo(json.dumps(body, indent=2))
    elif output is not None:
        console.print(_outcome_table(output))
        console.print(f"graph {output.status}; run {record.status.value}")
    else:
        console.print(f"[red]run {record.status.value}[/]: {record.error}")
    if record.status is not RunStatus.COMPLETED or (output and output.status == "failed"):
        raise typer.Exit(1)


def _outcome_table(output: GraphRunOutput) -> Table:
    table = Table(title="nodes")
    for column in ("node", "status", "attempts", "output / error"):
        table.add_column(column)
    for node_id, node in output.nodes.items():
        detail = node.error or node.skip_reason or json.dumps(node.output, default=str)
        table.add_row(
            node_id,
            Text(node.status, style=STATUS_STYLE.get(node.status, "")),
            str(node.attempts),
            detail[:100],
        )
    return table


def list_runs(
    status: Annotated[RunStatus | None, typer.Option(help="Only runs in this status.")] = None,
    kind: Annotated[
        RunKind | None, typer.Option(help="Only Office tasks, graph or agent workflows.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=MAX_LIST_LIMIT)] = 30,
    config: ConfigOption = None,
) -> None:
    """List recent runs of every kind, newest first."""
    app = AppContext.open(config)
    table = Table(title="runs")
    table.add_column("run", no_wrap=True, min_width=32)
    for column in ("kind", "workflow", "status", "priority", "starts", "created", "finished"):
        table.add_column(column)
    workflow = kind.workflow if kind is not None else None
    for run in app.store.runs.recent(status=status, workflow=workflow, limit=limit):
        table.add_row(
            run.run_id,
            run_kind(run.workflow).value,
            _workflow_label(run),
            Text(run.status.value, style=STATUS_STYLE.get(run.status.value, "")),
            str(run.priority),
            str(run.starts),
            f"{run.created_at:%Y-%m-%d %H:%M:%S}",
            f"{run.finished_at:%H:%M:%S}" if run.finished_at else "",
        )
    console.print(table)


def _workflow_label(run: RunRecord) -> str:
    from intelligent_office.workflows.graph_workflow import WORKFLOW_NAME

    spec = run.input.get("spec") if run.workflow == WORKFLOW_NAME else None
    return f"{run.workflow}:{spec['name']}" if isinstance(spec, dict) else run.workflow


def show(
    run_id: Annotated[str, typer.Argument(help="A task id from `office tasks` or a run id.")],
    events: Annotated[
        int, typer.Option(min=0, max=MAX_LIST_LIMIT, help="How many latest events to show.")
    ] = 30,
    config: ConfigOption = None,
) -> None:
    """Show a task (subtasks, plans, steps, outputs, reviews, events) or a workflow run."""
    from intelligent_office.cli.events import events_table
    from intelligent_office.cli.tasks import show_task
    from intelligent_office.office import OFFICE_WORKFLOW
    from intelligent_office.workflows.graph_workflow import WORKFLOW_NAME, GraphRunOutput

    app = AppContext.open(config)
    task = app.store.tasks.get(run_id)
    latest = app.store.runs.recent(task_id=run_id, limit=1) if task else []
    if task is not None and (not latest or latest[0].workflow == OFFICE_WORKFLOW):
        show_task(app, task, events)
        return
    run = latest[0] if latest else app.store.runs.require(run_id)
    owner = app.store.tasks.get(run.task_id)
    if run.workflow == OFFICE_WORKFLOW and owner is not None:
        show_task(app, owner, events)  # an Office run is shown as its task
        return
    console.print(
        f"run [bold]{run.run_id}[/]  {_workflow_label(run)}  "
        f"[{STATUS_STYLE.get(run.status.value, '')}]{run.status.value}[/]  "
        f"task {run.task_id}  starts {run.starts}"
    )
    if run.error:
        console.print(f"[red]error[/]: {run.error}")
    if run.result and run_kind(run.workflow) is RunKind.AGENTS:
        from intelligent_office.agentkit.workflow_run import WorkflowRun
        from intelligent_office.cli.workflows import show_workflow_run

        show_workflow_run(WorkflowRun.model_validate(run.result))
    elif run.result and run.workflow == WORKFLOW_NAME:
        console.print(_outcome_table(GraphRunOutput.model_validate(run.result)))
    elif run.workflow == WORKFLOW_NAME:
        view = _replay_view(app, run)
        console.print(view)
    stream = app.store.events.read(run.task_id, run_id=run.run_id, limit=100_000)
    console.print(events_table(stream, events))


def _replay_view(app: AppContext, run: RunRecord) -> GraphView:
    from intelligent_office.workflows.spec import WorkflowSpec

    spec = WorkflowSpec.model_validate(run.input["spec"])
    view = GraphView(title=spec.name, node_ids=[node.id for node in spec.nodes])
    for event in app.store.events.read(run.task_id, run_id=run.run_id, limit=100_000):
        view.on_event(event.type, event.payload)
    return view


def resume(
    run_id: Annotated[
        str | None,
        typer.Argument(help="A task id or a run id; default: every unfinished run."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Resume interrupted runs: finished activities are replayed from the journal, not rerun.

    A task ends as `office run` ends it: its outcome and answer, exit 1 unless completed.
    """
    from intelligent_office.workflows.graph_workflow import WORKFLOW_NAME

    app = AppContext.open(config)
    views: dict[str, RunView] = {}
    worker = app.worker(listener=_resume_listener(views))
    worker.reclaim_dead_local_leases()
    if run_id:
        one = _run_of(app, run_id)
        if one.status.finished:
            console.print(f"run {one.run_id} had already ended: {one.status.value}")
            _end(app, [one])
            return
        runs = [one]
    else:
        runs = app.store.runs.recent(status=RunStatus.RUNNING, limit=10_000)
        runs += app.store.runs.recent(status=RunStatus.QUEUED, limit=10_000)
    if not runs:
        console.print("nothing to resume")
        return
    for run in runs:
        views[run.run_id] = (
            _replay_view(app, run) if run.workflow == WORKFLOW_NAME else _replay_task_view(app, run)
        )
        waiting = getattr(views[run.run_id], "footer", "")
        if waiting.startswith("waiting") and not console.is_terminal:
            typer.echo(waiting)  # what it waits for was said before; a pipe sees it now
    work = worker.run(runs[0].run_id) if run_id else worker.run_until_idle()
    interrupted = False
    try:
        _run_live(views, work, quiet=False)
    except KeyboardInterrupt:  # the runs stay unfinished: said below
        interrupted = True
    _end(app, runs, interrupted=interrupted)


def _run_of(app: AppContext, task_or_run_id: str) -> RunRecord:
    """The run a task id names (its latest), or the run with this id."""
    latest = app.store.runs.recent(task_id=task_or_run_id, limit=1)
    return latest[0] if latest else app.store.runs.require(task_or_run_id)


def _resume_listener(views: dict[str, RunView]) -> Any:
    plain = not console.is_terminal

    def listener(run_id: str, kind: str, payload: dict[str, JsonValue]) -> None:
        view = views.get(run_id)
        if view is None:
            return
        view.on_event(kind, payload)
        line = plain_line(kind, payload) if plain and isinstance(view, TaskView) else None
        if line is not None:
            typer.echo(line)

    return listener


def _replay_task_view(app: AppContext, run: RunRecord) -> TaskView:
    task = app.store.tasks.get(run.task_id)
    title = task.description.splitlines()[0][:80] if task and task.description else run.task_id
    view = TaskView(title=title)
    for event in app.store.events.read(run.task_id, limit=100_000):
        view.on_event(event.type, event.payload)
    return view


def _end(app: AppContext, runs: list[RunRecord], *, interrupted: bool = False) -> None:
    """Each run's ending (a task's outcome and answer, as `office run` prints it); exit 130
    when Ctrl-C left one unfinished, else 1 when one did not complete. A run another
    worker holds (two `office resume` on one database) is that worker's to finish."""
    from intelligent_office.office import OFFICE_WORKFLOW

    code = 0
    unfinished: list[str] = []
    for run in runs:
        final = app.store.runs.require(run.run_id)
        if final.status is RunStatus.RUNNING or final.status is RunStatus.QUEUED:
            unfinished.append(final.task_id)
        elif final.workflow == OFFICE_WORKFLOW:  # the Office workflow records its own status
            code = max(code, task_ending(app, final.task_id, final, as_json=False))
        else:
            app.store.tasks.set_status(final.task_id, final.status.value)
            console.print(f"run {final.run_id}: {final.status.value}")
            code = max(code, int(final.status is not RunStatus.COMPLETED))
    if unfinished and not interrupted:
        for task_id in unfinished:
            console.print(f"task {task_id}: still running in another worker, which finishes it")
    elif unfinished:
        for task_id in unfinished:
            typer.echo(paused_line(task_id), err=True)
        raise typer.Exit(INTERRUPTED)
    if code:
        raise typer.Exit(code)
