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
    evals,
    gaps,
    memory,
    runs,
    serve,
    stats,
    tasks,
    temporal,
    tools,
    workflows,
)
from intelligent_office.errors import UserError

__all__ = ["app", "main"]

app = typer.Typer(
    name="office",
    help="Intelligent Office: tasks in plain language, done by a team of agents, durably.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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


@app.command("schema")
def schema(directory: Annotated[Path, typer.Argument(help="Where to write the files.")]) -> None:
    """Write the contracts (Task, Plan, Review, ...) as JSON Schema files."""
    from intelligent_office.models.schema_export import write_json_schemas

    for path in write_json_schemas(directory):
        typer.echo(path)


def main() -> None:
    """Entry point: user mistakes end with one readable line and exit code 2."""
    try:
        app()  # Typer reports usage errors itself and exits
    except UserError as error:
        typer.echo(f"office: {error}", err=True)
        sys.exit(2)
    except Exception as error:
        # Only a command that opened the database can raise SQLAlchemy's errors: look for
        # them only when SQLAlchemy is loaded, so `office --help` never imports it.
        exc = sys.modules.get("sqlalchemy.exc")
        if exc is None or not isinstance(error, exc.OperationalError):
            raise
        typer.echo(f"office: database error: {error.orig}", err=True)
        sys.exit(2)
