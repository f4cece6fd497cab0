"""A Temporal worker process for the crash and scaling tests.

Run as `python -m tests.temporal.worker_child --address ... --task-queue ... --log ...`
it serves the Office on Temporal with the recording brain and tools of
tests/office/crash_child.py (every call logged to `--log`, stalling in `--stall-at`),
and bridges runs queued in the store named by `OFFICE_DATABASE_URL`. It prints
`ready` once it polls.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from pathlib import Path

from intelligent_office.runtime.temporal import RunOptions, WorkerOptions, connect, serve_worker
from intelligent_office.settings import load_settings
from intelligent_office.store import Store
from tests.office.crash_child import recording_service


async def _serve(args: argparse.Namespace) -> None:
    settings = load_settings(None)
    store = Store.open(settings.resolved_database_url)
    service = recording_service(settings, store, args.log, args.stall_at)
    client = await connect(args.address, store=store, wait_seconds=10)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    options = WorkerOptions(task_queue=args.task_queue, sticky_timeout_seconds=1.0)
    run_options = RunOptions(task_queue=args.task_queue, heartbeat_seconds=args.heartbeat)
    print("ready", flush=True)
    await serve_worker(client, service.activities(), store, options, stop, run_options=run_options)


def main() -> None:
    """Serve until SIGTERM (or until the test kills the process)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--address", required=True)
    parser.add_argument("--task-queue", required=True)
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--stall-at", default=None)
    parser.add_argument("--heartbeat", type=float, default=1.0)
    asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
