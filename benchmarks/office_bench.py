"""Office loop benchmark: the orchestration overhead of one offline task, tool time excluded.

Usage: `python -m benchmarks.office_bench --out benchmarks/results/office.json` (what
`make bench` runs). Each task runs end to end (decompose -> plan -> validate -> execute
-> review -> synthesize) with the offline brain and the real built-in tools, many times
after a warm-up, on the inline runtime and on the durable local runtime (one worker on
a SQLite file in a temporary directory). Per run:

- wall: the task from the call to its output (on the local runtime: `submit`, which
  stores the task and queues its run, then `worker.run` until the run's record is final);
- tool: the sum of the tool calls' own `duration_seconds` in the output;
- overhead = wall - tool, split into agents (time inside activities other than the
  tools: brain, plan validator, records) and runtime (the rest: workflow code, engine,
  journal, events, the run's bookkeeping).

The tasks' subtasks run one after another, so the tool and activity times add up
without overlapping.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from benchmarks.provenance import ROOT, provenance
from intelligent_office.activities import MemoryRecords, OfficeActivities
from intelligent_office.front_door import Office
from intelligent_office.llm import OfflineBrain
from intelligent_office.office import OfficeInput, OfficeOutput, TaskStatus, run_office
from intelligent_office.runtime.activity import Activity
from intelligent_office.runtime.inline import InlineRuntime
from intelligent_office.runtime.worker import LocalWorker
from intelligent_office.settings import load_settings
from intelligent_office.store import RunStatus, Store
from intelligent_office.task_input import new_task
from intelligent_office.tools.builtin import builtin_tools

__all__ = ["RUNTIMES", "TASKS", "main"]


# (name, description); the workspace is the repository root.
TASKS: tuple[tuple[str, str], ...] = (
    ("calculate", "Calculate (2 + 3) * 4"),
    ("read_file", "Read the file examples/sample_app/README.md"),
    (
        "trace_calls",
        "Trace the call sequence from main() to process_data() in examples/sample_app",
    ),
    (
        "read_then_calculate",
        "Read the file examples/sample_app/README.md, then calculate (2 + 3) * 4",
    ),
)
RUNTIMES = ("inline", "local_sqlite")


@dataclass
class ActivityClock:
    """Counts the activities called and the seconds spent inside them."""

    calls: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def reset(self) -> None:
        self.calls.clear()
        self.seconds = 0.0

    def wrap(self, agents: OfficeActivities) -> OfficeActivities:
        """Time every activity of `agents` (the workflow reads them off the object)."""
        for name, value in list(vars(agents).items()):
            if isinstance(value, Activity):
                setattr(agents, name, replace(value, fn=self._timed(value.name, value.fn)))
        return agents

    def _timed(
        self, name: str, fn: Callable[[Any], Awaitable[BaseModel]]
    ) -> Callable[[Any], Awaitable[BaseModel]]:
        async def timed(value: Any) -> BaseModel:
            began = time.perf_counter()
            try:
                return await fn(value)
            finally:
                self.seconds += time.perf_counter() - began
                self.calls[name] += 1

        return timed


class TimedOffice(Office):
    """The Office, with its loop's activities timed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clock = ActivityClock()

    def activities(self) -> OfficeActivities:
        return self.clock.wrap(super().activities())


@dataclass(frozen=True)
class Sample:
    """One run of one task."""

    wall: float
    tool: float
    activity: float
    output: OfficeOutput
    activities: dict[str, int]
    events: int


def tool_seconds(output: OfficeOutput) -> float:
    """The tools' own time: every tool call of every iteration of every subtask."""
    return sum(
        call.duration_seconds or 0.0
        for outcome in output.subtasks.values()
        for iteration in outcome.iterations
        if iteration.execution is not None
        for step in iteration.execution.steps
        for call in step.tool_calls
    )


async def run_inline(description: str) -> Sample:
    """One task on the inline runtime, with fresh agents as a library user would build."""
    clock = ActivityClock()
    agents = clock.wrap(
        OfficeActivities(brain=OfflineBrain(), tools=builtin_tools(), records=MemoryRecords())
    )
    runtime = InlineRuntime()
    office = OfficeInput(task=new_task(description, workspace=ROOT))
    began = time.perf_counter()
    output = await run_office(runtime, agents, office)
    wall = time.perf_counter() - began
    return Sample(
        wall=wall,
        tool=tool_seconds(output),
        activity=clock.seconds,
        output=output,
        activities=dict(clock.calls),
        events=len(runtime.events),
    )


async def run_local(service: TimedOffice, worker: LocalWorker, description: str) -> Sample:
    """One task on the local runtime: submit it and run it to its end on the worker."""
    task = new_task(description, workspace=ROOT)
    service.clock.reset()
    began = time.perf_counter()
    record, run = service.submit(worker, task)
    finished = await worker.run(run.run_id)
    wall = time.perf_counter() - began
    if finished.status is not RunStatus.COMPLETED:
        raise RuntimeError(f"run {run.run_id} ended {finished.status}: {finished.error}")
    output = OfficeOutput.model_validate(finished.result)
    events = service.store.events.read(record.task_id, run_id=run.run_id, limit=100_000)
    return Sample(
        wall=wall,
        tool=tool_seconds(output),
        activity=service.clock.seconds,
        output=output,
        activities=dict(service.clock.calls),
        events=len(events),
    )


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = statistics.quantiles(ordered, n=100, method="inclusive")[94]
    return {
        "median": round(statistics.median(ordered) * 1000, 3),
        "p95": round(p95 * 1000, 3),
        "best": round(ordered[0] * 1000, 3),
        "mean": round(statistics.fmean(ordered) * 1000, 3),
    }


def summarize(name: str, description: str, runtime: str, samples: list[Sample]) -> dict[str, Any]:
    """The figures of one (task, runtime) pair; shapes are taken from the last run."""
    last = samples[-1]
    statuses = Counter(sample.output.status.value for sample in samples)
    steps = [
        step
        for outcome in last.output.subtasks.values()
        for iteration in outcome.iterations
        if iteration.execution is not None
        for step in iteration.execution.steps
    ]
    return {
        "task": name,
        "description": description,
        "runtime": runtime,
        "runs": len(samples),
        "statuses": dict(statuses),
        "answer_chars": len(last.output.answer),
        "subtasks": len(last.output.subtasks),
        "iterations": sum(len(o.iterations) for o in last.output.subtasks.values()),
        "steps": len(steps),
        "tool_calls": sum(len(step.tool_calls) for step in steps),
        "activities": sum(last.activities.values()),
        "activities_by_name": dict(sorted(last.activities.items())),
        "events": last.events,
        "wall_ms": _ms([s.wall for s in samples]),
        "tool_ms": _ms([s.tool for s in samples]),
        "overhead_ms": _ms([s.wall - s.tool for s in samples]),
        "agents_ms": _ms([s.activity - s.tool for s in samples]),
        "runtime_ms": _ms([s.wall - s.activity for s in samples]),
    }


async def measure(runs: int, warmup: int, temporary: Path) -> list[dict[str, Any]]:
    """Every (task, runtime) pair: `warmup` untimed runs, then `runs` timed ones."""
    results = []
    for name, description in TASKS:
        samples = [await run_inline(description) for _ in range(warmup + runs)]
        results.append(summarize(name, description, "inline", samples[warmup:]))

    url = f"sqlite:///{temporary / 'office.db'}"
    store = Store.open(url)
    try:
        service = TimedOffice(load_settings(None, home=temporary, database_url=url), store)
        # One worker serves every run, as `office serve` would.
        worker = service.worker()
        for name, description in TASKS:
            samples = [await run_local(service, worker, description) for _ in range(warmup + runs)]
            results.append(summarize(name, description, "local_sqlite", samples[warmup:]))
        await worker.shutdown()
    finally:
        store.close()
    return results


def print_summary(results: list[dict[str, Any]]) -> None:
    """One line per (task, runtime): overhead median and p95, and where it goes."""
    print(
        f"{'task':<20} {'runtime':<13} {'overhead ms':>11} {'p95':>7} {'agents':>7} "
        f"{'runtime':>7} {'tool':>6} {'acts':>5} {'events':>6}"
    )
    for row in results:
        print(
            f"{row['task']:<20} {row['runtime']:<13} {row['overhead_ms']['median']:>11.2f} "
            f"{row['overhead_ms']['p95']:>7.2f} {row['agents_ms']['median']:>7.2f} "
            f"{row['runtime_ms']['median']:>7.2f} {row['tool_ms']['median']:>6.2f} "
            f"{row['activities']:>5} {row['events']:>6}"
        )


def main(argv: list[str] | None = None) -> int:
    """Run every pair, write the JSON report and print a summary."""
    parser = argparse.ArgumentParser(description="Office loop orchestration overhead.")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/office.json")
    parser.add_argument("--runs", type=int, default=200, help="timed runs per pair")
    parser.add_argument("--warmup", type=int, default=10, help="untimed runs first")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="office-bench-") as temporary:
        results = asyncio.run(measure(args.runs, args.warmup, Path(temporary)))
    elapsed = time.perf_counter() - began
    completed = all(row["statuses"] == {TaskStatus.COMPLETED.value: row["runs"]} for row in results)
    report = {
        **provenance("office"),
        "method": {
            "warmup_runs": args.warmup,
            "timed_runs": args.runs,
            "brain": "offline",
            "tools": "built-in, workspace = repository root",
            "inline": "InlineRuntime, fresh agents per run; timed: run_office",
            "local_sqlite": (
                "Office on a SQLite file in a temporary directory, one worker for "
                "every run; timed: service.submit + worker.run"
            ),
            "wall_ms": "time.perf_counter around one task",
            "tool_ms": "sum of the output's tool_calls[*].duration_seconds",
            "overhead_ms": "wall - tool, per run",
            "agents_ms": "time inside activities - tool, per run (brain, validator, records)",
            "runtime_ms": "wall - time inside activities, per run (workflow, engine, journal)",
            "activities": "activity calls in one run, counted around each activity",
            "events": "events the run emitted (local: stored for the run)",
            "statistics": "median, p95 (inclusive quantiles), best and mean over the timed runs",
        },
        "seconds_total": round(elapsed, 1),
        "all_completed": completed,
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print_summary(results)
    print(f"{'all completed' if completed else 'SOME RUNS DID NOT COMPLETE'} in {elapsed:.1f} s")
    print(f"report written to {args.out}")
    return 0 if completed else 1


if __name__ == "__main__":
    sys.exit(main())
