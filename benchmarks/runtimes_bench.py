"""Runtimes benchmark: the same Office workload on the local runtime and on Temporal.

Usage: `python -m benchmarks.runtimes_bench --out benchmarks/results/runtimes.json` (what
`make bench` runs). In one process and one run, with the offline brain and the real
built-in tools, on a SQLite store in a temporary directory:

- latency: each task of `TASKS` alone, `--repeats` times after a warm-up, on the inline
  runtime (no durability: the baseline), the local runtime (a worker in this process)
  and Temporal (a tuned dev server started here, a worker in this process);
- per-activity overhead: (runtime's median task wall - inline's) / activities per task,
  i.e. what durability costs per activity call;
- throughput: `--tasks` tasks submitted at once, tasks per second until all are done
  (local: `max_concurrent_runs` 8; Temporal: the worker's defaults, 32 at once), and on
  Temporal again with a dev server that keeps nothing on disk (what bounds the first).

Activities per task counts what each runtime really ran: journal entries on the local
runtime, scheduled activities in the history on Temporal (which adds its bookkeeping:
the tool flags, event flushes before waits, and recording the run's end).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from benchmarks.provenance import ROOT, provenance
from intelligent_office.activities import OfficeActivities, StoreRecords
from intelligent_office.llm import OfflineBrain
from intelligent_office.models import Task
from intelligent_office.office import (
    OFFICE_WORKFLOW,
    OfficeInput,
    OfficeOutput,
    TaskStatus,
    office_workflow,
    run_office,
)
from intelligent_office.runtime.inline import InlineRuntime
from intelligent_office.runtime.temporal import (
    DevServer,
    RunOptions,
    TemporalSubmitter,
    WorkerOptions,
    build_worker,
    connect,
    dev_server_command,
)
from intelligent_office.runtime.temporal.dev_server import free_port
from intelligent_office.runtime.worker import LocalWorker
from intelligent_office.runtime.workflow import WorkflowRegistry
from intelligent_office.store import RunStatus, Store
from intelligent_office.task_input import new_task
from intelligent_office.tools.builtin import builtin_tools

__all__ = ["TASKS", "main"]

TASKS: tuple[tuple[str, str], ...] = (
    ("calculate", "Calculate (2 + 3) * 4"),
    ("trace_calls", "Trace the call sequence from main() to process_data() in examples/sample_app"),
    (
        "read_then_calculate",
        "Read the file examples/sample_app/README.md, then calculate (2 + 3) * 4",
    ),
)
THROUGHPUT_TASK = "Calculate (2 + 3) * 4"

Runner = Callable[[str], Awaitable[tuple[float, int]]]
"""Runs one task to its end: (wall seconds, activities it ran)."""


def _task(store: Store, description: str) -> Task:
    task = new_task(description, workspace=ROOT, user_id="bench")
    store.tasks.create(
        task_id=task.task_id,
        user_id="bench",
        description=description,
        body=task.model_dump(mode="json"),
    )
    return task


def _agents(store: Store) -> OfficeActivities:
    return OfficeActivities(
        brain=OfflineBrain(), tools=builtin_tools(), records=StoreRecords(store)
    )


def _check(output: OfficeOutput) -> None:
    if output.status is not TaskStatus.COMPLETED:
        raise RuntimeError(f"a benchmark task did not complete: {output.failure_reason}")


async def run_inline(store: Store, description: str) -> tuple[float, int]:
    task = _task(store, description)
    runtime = InlineRuntime()
    count = 0
    inner = runtime.activity

    async def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal count
        count += 1
        return await inner(*args, **kwargs)

    runtime.activity = counted  # type: ignore[method-assign]
    started = time.perf_counter()
    output = await run_office(runtime, _agents(store), OfficeInput(task=task))
    wall = time.perf_counter() - started
    _check(output)
    return wall, count


class Local:
    """The local runtime: one worker in this process on the store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        registry = WorkflowRegistry([office_workflow(_agents(store))])
        self.worker = LocalWorker(store, registry, max_concurrent_runs=8)

    async def run(self, description: str) -> tuple[float, int]:
        started = time.perf_counter()
        task = _task(self.store, description)
        run = self.worker.submit(OFFICE_WORKFLOW, OfficeInput(task=task), task_id=task.task_id)
        record = await self.worker.run(run.run_id)
        wall = time.perf_counter() - started
        assert record.status is RunStatus.COMPLETED, record.error
        _check(OfficeOutput.model_validate(record.result))
        return wall, len(self.store.journal.load(run.run_id))

    async def many(self, count: int) -> float:
        started = time.perf_counter()
        for _ in range(count):
            task = _task(self.store, THROUGHPUT_TASK)
            self.worker.submit(OFFICE_WORKFLOW, OfficeInput(task=task), task_id=task.task_id)
        await self.worker.run_until_idle()
        return time.perf_counter() - started


class OnTemporal:
    """Temporal: a worker in this process on a tuned dev server."""

    def __init__(self, store: Store, submitter: TemporalSubmitter) -> None:
        self.store = store
        self.submitter = submitter

    async def run(self, description: str) -> tuple[float, int]:
        started = time.perf_counter()
        task = _task(self.store, description)
        run = await self.submitter.submit(OfficeInput(task=task))
        handle = self.submitter.client.get_workflow_handle(run.run_id, result_type=OfficeOutput)
        output = await handle.result()
        wall = time.perf_counter() - started
        _check(output)
        history = await handle.fetch_history()
        scheduled = sum(
            1 for e in history.events if e.HasField("activity_task_scheduled_event_attributes")
        )
        return wall, scheduled

    async def many(self, count: int) -> float:
        started = time.perf_counter()
        runs = [
            await self.submitter.submit(OfficeInput(task=_task(self.store, THROUGHPUT_TASK)))
            for _ in range(count)
        ]
        client = self.submitter.client
        await asyncio.gather(*(client.get_workflow_handle(r.run_id).result() for r in runs))
        return time.perf_counter() - started


async def latency(runner: Runner, description: str, repeats: int, warmup: int) -> dict[str, Any]:
    for _ in range(warmup):
        await runner(description)
    samples = [await runner(description) for _ in range(repeats)]
    walls = [wall for wall, _ in samples]
    return {
        "median_ms": round(statistics.median(walls) * 1000, 2),
        "p90_ms": round(sorted(walls)[int(0.9 * (len(walls) - 1))] * 1000, 2),
        "activities": samples[-1][1],
    }


async def measure(args: argparse.Namespace, temporary: Path) -> dict[str, Any]:
    store = Store.open(f"sqlite:///{temporary / 'office.db'}")
    local = Local(store)
    with DevServer(temporary / "temporal.db") as server:
        client = await connect(server.address, store=store, wait_seconds=30)
        worker = build_worker(client, _agents(store), store, WorkerOptions(task_queue="bench"))
        async with worker:
            temporal = OnTemporal(store, TemporalSubmitter(client, store, RunOptions("bench")))
            runners: dict[str, Runner] = {
                "inline": lambda d: run_inline(store, d),
                "local_sqlite": local.run,
                "temporal": temporal.run,
            }
            for runner in runners.values():  # a fresh server and queue warm up first
                for _ in range(args.warmup):
                    await runner(THROUGHPUT_TASK)
            tasks: dict[str, Any] = {}
            for name, description in TASKS:
                tasks[name] = {
                    runtime: await latency(runner, description, args.repeats, args.warmup)
                    for runtime, runner in runners.items()
                }
                base = tasks[name]["inline"]["median_ms"]
                for runtime in ("local_sqlite", "temporal"):
                    row = tasks[name][runtime]
                    row["overhead_per_activity_ms"] = round(
                        (row["median_ms"] - base) / row["activities"], 2
                    )
                print(f"{name}: {json.dumps(tasks[name])}", file=sys.stderr)
            throughput = {
                "tasks": args.tasks,
                "local_sqlite_per_second": round(args.tasks / await local.many(args.tasks), 2),
                "temporal_per_second": round(args.tasks / await temporal.many(args.tasks), 2),
            }
    throughput["temporal_memory_server_per_second"] = await _in_memory_throughput(
        store, args.tasks, temporary
    )
    store.close()
    return {"tasks": tasks, "throughput": throughput}


async def _in_memory_throughput(store: Store, count: int, temporary: Path) -> float:
    """Tasks per second on a dev server that keeps nothing on disk: what bounds the tuned
    file-backed one here is its SQLite file (one writer, a sync per transaction)."""
    port = free_port()
    command = dev_server_command(port=port, db_file=temporary / "unused.db")
    at = command.index("--db-filename")
    del command[at : at + 2]
    with DevServer(temporary / "unused.db", port=port, command=command) as server:
        client = await connect(server.address, store=store, wait_seconds=30)
        async with build_worker(client, _agents(store), store, WorkerOptions(task_queue="mem")):
            temporal = OnTemporal(store, TemporalSubmitter(client, store, RunOptions("mem")))
            for _ in range(3):
                await temporal.run(THROUGHPUT_TASK)
            return round(count / await temporal.many(count), 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/runtimes.json")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=20, help="Tasks for the throughput run.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="office-runtimes-") as temporary:
        results = asyncio.run(measure(args, Path(temporary)))
    report = {
        **provenance("runtimes"),
        "method": (
            "Same workload, same process, same run: offline brain, real tools, SQLite store."
            " Temporal: tuned dev server (history.transferProcessorMaxPollRPS=1000) and an"
            " in-process worker. overhead_per_activity_ms = (median wall - inline median wall)"
            " / activities per task on that runtime."
        ),
        "settings": {"repeats": args.repeats, "warmup": args.warmup},
        **results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(results["throughput"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
