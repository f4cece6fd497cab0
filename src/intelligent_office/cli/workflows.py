"""`office workflows list | validate FILE | run NAME`: agent workflows from YAML files.

(`office run-workflow FILE` is the other kind: a durable graph of activities.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from intelligent_office.cli.context import ConfigOption, console
from intelligent_office.errors import UserError, WorkflowFileError

if TYPE_CHECKING:  # the agent kit loads when a workflow command runs, not for --help
    from intelligent_office.agentkit.workflow import Workflow
    from intelligent_office.agentkit.workflow_run import WorkflowRun
    from intelligent_office.front_door import Office
    from intelligent_office.settings import Settings

__all__ = ["register"]

DirOption = Annotated[
    Path | None,
    typer.Option("--dir", help="Folder of workflow files (default: agent_workflows_dir)."),
]


def register(app: typer.Typer) -> None:
    """Add `office workflows ...` to the app."""
    group = typer.Typer(help="Agent workflows: list, validate and run YAML files.")
    group.command("list")(list_workflows)
    group.command("validate")(validate)
    group.command("run")(run)
    app.add_typer(group, name="workflows")


def _directory(settings: Settings, directory: Path | None) -> Path:
    folder = directory if directory is not None else settings.agent_workflows_dir
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder} is not a folder: pass --dir FOLDER of workflow files")
    return folder


def list_workflows(directory: DirOption = None, config: ConfigOption = None) -> None:
    """List the agent workflows: name, pattern, agents, schedule, or what is wrong."""
    from intelligent_office.agentkit.files import discover, load_agent_workflow
    from intelligent_office.settings import load_settings

    folder = _directory(load_settings(config), directory)
    table = Table("name", "pattern", "agents", "schedule", "file")
    for path in discover(folder):
        try:
            wf = load_agent_workflow(path)
        except WorkflowFileError as error:
            table.add_row(path.stem, "[red]invalid[/]", "", "", str(error))
            continue
        kind = wf.pattern.kind if wf.pattern else "dag"
        table.add_row(wf.name, kind, str(len(wf.agents)), wf.schedule or "-", str(path))
    if not table.rows:
        console.print(f"no agent workflows in {folder}")
        return
    console.print(table)


def validate(
    file: Annotated[Path, typer.Argument(help="The YAML workflow file.")],
    config: ConfigOption = None,
) -> None:
    """Check a workflow file; a problem ends with one line naming it and exit code 2."""
    from intelligent_office.agentkit.files import load_agent_workflow
    from intelligent_office.settings import load_settings

    load_settings(config)  # every command takes --config; a bad settings file is reported

    wf = load_agent_workflow(file)
    kind = wf.pattern.kind if wf.pattern else "dag"
    typer.echo(f"{file}: ok: workflow {wf.name}, {len(wf.agents)} agents, {kind}")


def run(
    name: Annotated[str, typer.Argument(help="Workflow name, file stem or path.")],
    input: Annotated[str | None, typer.Option("--input", help="Replaces the input.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run as JSON.")] = False,
    directory: DirOption = None,
    config: ConfigOption = None,
) -> None:
    """Run a workflow now, in this process; exit 0 when it completed, 1 otherwise."""
    import asyncio

    from intelligent_office.agentkit.files import find_workflow, load_agent_workflow
    from intelligent_office.agentkit.workflow_run import RunStatus
    from intelligent_office.front_door import Office
    from intelligent_office.limits import check_description
    from intelligent_office.settings import load_settings

    if input is not None:  # the API's agent runs take as much, no more
        check_description(input, what="--input")
    settings = load_settings(config)
    path = find_workflow(_directory(settings, directory), name)
    workflow = load_agent_workflow(path)
    # The run is stored like any other: `office runs`, `office show` and the UI list it.
    office = Office.from_settings(settings, root=path.parent.resolve())
    result = asyncio.run(_run_and_close(office, workflow, input))
    if as_json:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2))
    else:
        show_workflow_run(result)
    if result.status is not RunStatus.COMPLETED:
        raise typer.Exit(1)


async def _run_and_close(office: Office, workflow: Workflow, input: str | None) -> WorkflowRun:
    async with office:
        return await office.run_workflow(workflow, input=input)


def show_workflow_run(result: WorkflowRun) -> None:
    """An agent workflow run: its agents' states and costs, notes, failure and output."""
    table = Table("agent", "state", "model", "calls", "tokens", "cost $", "seconds")
    for name, record in result.agents.items():
        table.add_row(
            name,
            record.state.value,
            record.model or "-",
            str(record.calls),
            str(record.input_tokens + record.output_tokens),
            f"{record.cost_usd:.4f}",
            f"{record.seconds:.2f}",
        )
    console.print(f"workflow {result.workflow}  run {result.id}  {result.status.value}")
    console.print(table)
    for note in result.notes:
        console.print(f"- {note}")
    if result.failure:
        console.print(f"[red]failed:[/] {result.failure}")
    if result.output:
        console.print(result.output)
