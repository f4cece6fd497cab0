"""`office serve` (API, web UI and a worker in one process) and `office keys` (API keys)."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from intelligent_office.cli import collector
from intelligent_office.cli.context import ConfigOption, console, open_store
from intelligent_office.cli.temporal import Runtime, RuntimeOption

if TYPE_CHECKING:
    from intelligent_office.settings import Settings
    from intelligent_office.store import Store

__all__ = ["register"]

keys_app = typer.Typer(help="API keys: create, list, revoke.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add `office serve` and `office keys ...` to the app."""
    app.command("serve")(serve)
    app.add_typer(keys_app, name="keys")


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    config: ConfigOption = None,
    runtime: RuntimeOption = Runtime.LOCAL,
) -> None:
    """Serve the API and the web UI, running submitted tasks in this process (or on Temporal)."""
    import uvicorn

    from intelligent_office.api import create_app
    from intelligent_office.observability import configure_logging
    from intelligent_office.runtime.temporal.availability import require_temporalio
    from intelligent_office.settings import load_settings

    if runtime is Runtime.TEMPORAL:
        require_temporalio()
    settings = load_settings(config)
    configure_logging(settings.observability)  # JSON lines with task, run and trace ids
    # Migrations say what they do at INFO, a dozen lines at every start: an operator needs
    # them only when they fail (a warning or an error).
    logging.getLogger("alembic").setLevel(logging.WARNING)
    console.print(_start_line(settings, host, port, runtime), soft_wrap=True, highlight=False)
    app = create_app(settings, run_worker=runtime is Runtime.LOCAL)
    collector.loaded()
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _start_line(settings: Settings, host: str, port: int, runtime: Runtime) -> str:
    """What an operator needs at start, on one line: where, which database, who runs tasks."""
    from sqlalchemy.engine import make_url

    database = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
    workers = (
        f"local worker, {settings.max_concurrent_runs} runs at once"
        if runtime is Runtime.LOCAL
        # The API only writes the store; Temporal workers' bridges start and steer the runs.
        else "tasks run on Temporal: start `office worker --runtime temporal`"
    )
    return (
        f"Intelligent Office on http://{host}:{port} (API docs at /docs)"
        f" · database {database} · {workers}"
    )


def _store(config: ConfigOption) -> Store:
    from intelligent_office.settings import load_settings

    return open_store(load_settings(config))


@keys_app.command("create")
def create_key(
    user: Annotated[str, typer.Option(help="Whose key it is: their tasks are theirs alone.")],
    role: Annotated[str, typer.Option(help="admin, operator or viewer.")] = "operator",
    name: Annotated[str, typer.Option(help="A label, e.g. the client that uses it.")] = "",
    config: ConfigOption = None,
) -> None:
    """Create an API key; it is printed once and stored only as a hash."""
    record, key = _store(config).api_keys.create(user_id=user, role=role, name=name)
    console.print(
        f"key {record.id} for {record.user_id} ({record.role}); keep it, it is not shown again:"
    )
    typer.echo(key)


@keys_app.command("list")
def list_keys(
    user: Annotated[str | None, typer.Option(help="Only this user's keys.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    config: ConfigOption = None,
) -> None:
    """API keys (never the keys themselves), newest first."""
    keys = _store(config).api_keys.list(user_id=user)
    if as_json:
        rows = [
            {
                "id": key.id,
                "prefix": key.prefix,
                "user": key.user_id,
                "role": key.role,
                "name": key.name,
                "created_at": key.created_at.isoformat(),
                "revoked": key.revoked_at is not None,
            }
            for key in keys
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table()
    for column in ("id", "prefix", "user", "role", "name", "created", "state"):
        table.add_column(column)
    for key in keys:
        state = "revoked" if key.revoked_at else "active"
        table.add_row(
            key.id,
            key.prefix + "…",
            key.user_id,
            key.role,
            key.name,
            f"{key.created_at:%Y-%m-%d %H:%M}",
            state,
        )
    console.print(table)


@keys_app.command("revoke")
def revoke_key(
    key_id: Annotated[str, typer.Argument(help="The key's id (office keys list).")],
    config: ConfigOption = None,
) -> None:
    """Revoke an API key; requests with it get 401 from now on."""
    record = _store(config).api_keys.revoke(key_id)
    console.print(f"revoked key {record.id} of {record.user_id}")
