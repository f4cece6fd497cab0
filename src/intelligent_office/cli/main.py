"""The `office` command: a thin Typer layer over the same services the API uses."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from intelligent_office.cli import (
    approvals,
    costs,
    dlq,
    doctor,
    escalations,
    evals,
    forks,
    gaps,
    learn,
    memory,
    prompts,
    risk,
    runs,
    serve,
    stats,
    tasks,
    temporal,
    tools,
    workflows,
)
from intelligent_office.cli.context import ConfigOption
from intelligent_office.cli.lazy_commands import office_group

__all__ = ["app", "main"]

app = typer.Typer(
    name="office",
    help="Intelligent Office: tasks in plain language, done by a team of agents, durably.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain Click help: Typer's Rich help renderer costs a tenth of a second at every
    # `--help` (it imports rich.markdown and friends), a third of the CLI's start-up.
    rich_markup_mode=None,
)
tasks.register(app)
runs.register(app)
dlq.register(app)
tools.register(app)
costs.register(app)
approvals.register(app)
gaps.register(app)
doctor.register(app)
serve.register(app)
temporal.register(app)
memory.register(app)
stats.register(app)
workflows.register(app)
evals.register(app)
forks.register(app)
learn.register(app)
prompts.register(app)
risk.register(app)
escalations.register(app)


@app.command("schema")
def schema(
    directory: Annotated[Path, typer.Argument(help="Where to write the files.")],
    config: ConfigOption = None,
) -> None:
    """Write the contracts (Task, Plan, Review, ...) as JSON Schema files."""
    from intelligent_office.models.schema_export import write_json_schemas
    from intelligent_office.settings import load_settings

    load_settings(config)  # the contracts do not depend on it; a bad file is still reported

    for path in write_json_schemas(directory):
        typer.echo(path)


def main() -> None:
    """Entry point: a failure a user can cause ends with one readable line and a non-zero exit."""
    try:
        office_group(app)()  # Typer's group of `app`; it reports usage errors and exits 2
    except KeyboardInterrupt:
        # Ctrl-C before a command has its own handling (e.g. while `office serve` starts):
        # one line and the shell's code for SIGINT, not a traceback.
        typer.echo("office: interrupted", err=True)
        sys.exit(130)
    except Exception as error:
        # Loaded only on a failure: it knows SQLAlchemy's and pydantic's errors, which
        # `office --help` must not import.
        from intelligent_office.cli.failures import describe

        described = describe(error)
        if described is None:
            raise
        line, code = described
        typer.echo(f"office: {line}", err=True)
        sys.exit(code)
