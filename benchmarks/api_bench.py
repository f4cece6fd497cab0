"""API benchmark: `GET /tasks/{id}/status` latency with 50 concurrent clients while 20 tasks run.

Usage: `python -m benchmarks.api_bench --out benchmarks/results/api.json` (what `make
bench` runs). The server is `office serve` in its own process, as deployed: the API and
the local worker in one process, on a SQLite file in a temporary directory, with the
offline brain and `max_concurrent_runs: 20`. Twenty task slots hold a task each, and
fifty clients (one HTTP connection each) poll the status of the slots' tasks, client i
polling slot i mod 20, with `--interval` seconds between polls (0: back to back).
Latency is measured by each client around each request, after a warm-up.

Scenarios (`--scenario`):

- churn: each slot holds a trace task (the seed use case on a copy of
  examples/sample_app); when a client sees its slot's task finished it submits the next
  (POST /tasks), so 20 tasks are queued or running at every moment and the worker
  works flat out: the offline brain never waits for a model, so this is the most CPU
  the tasks can take. Plan memory is on, as by default: every task recalls the plans
  of the identical tasks before it, so the memory grows by one plan per task.
- churn-no-memory: the same with plan memory off, which isolates the API and the
  runtime from the memory's cost.
- waiting: each slot holds a task that writes a file outside out/, which the tool
  policy holds for a human: 20 runs stay running (each polling for its decision), as
  tasks waiting on slow models or people do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx
import yaml

from benchmarks.provenance import ROOT, provenance
from intelligent_office.settings import load_settings
from intelligent_office.store import Store

__all__ = ["main"]

SAMPLE_APP = ROOT / "examples" / "sample_app"
FINISHED = {"completed", "unsupported", "dead_lettered", "failed", "cancelled"}
TARGET_P95_MS = 100.0
# name: (load, plan memory on)
SCENARIOS = {
    "churn": ("churn", True),
    "churn-no-memory": ("churn", False),
    "waiting": ("waiting", True),
}


@dataclass
class Slot:
    """One of the tasks kept running; replaced by a new one when it finishes."""

    task_id: str
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    status: str = "queued"


@dataclass
class Tally:
    """What the clients saw during the measured window."""

    latencies: list[float] = field(default_factory=list)
    codes: Counter[int] = field(default_factory=Counter)
    submit_latencies: list[float] = field(default_factory=list)
    tasks_finished: Counter[str] = field(default_factory=Counter)
    in_flight_samples: list[int] = field(default_factory=list)
    running_samples: list[int] = field(default_factory=list)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def prepare(temporary: Path, max_runs: int, memory: bool) -> tuple[Path, str, str]:
    """A config file, an operator key and the trace task's description."""
    workspace = temporary / "workspace"
    shutil.copytree(SAMPLE_APP, workspace / "sample_app")
    config = {
        "home": str(temporary / "home"),
        "database_url": f"sqlite:///{temporary / 'office.db'}",
        "max_concurrent_runs": max_runs,
        "workspace_roots": [str(workspace)],
        "api": {"requests_per_minute": 10_000_000, "max_concurrent_tasks": 10_000},
        "memory": {"enabled": memory},
    }
    path = temporary / "office.yaml"
    path.write_text(yaml.safe_dump(config))
    settings = load_settings(path)
    store = Store.open(settings.resolved_database_url)
    try:
        _, key = store.api_keys.create(user_id="bench", role="operator", name="api_bench")
    finally:
        store.close()
    description = (
        f"Trace the call sequence from main() to process_data() in {workspace / 'sample_app'}"
    )
    return path, key, description


def start_server(config: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """`office serve` in its own process."""
    command = [sys.executable, "-m", "intelligent_office.cli", "serve", "--port", str(port)]
    command += ["--config", str(config)]
    with log.open("wb") as output:
        return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT)


async def wait_ready(client: httpx.AsyncClient, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("office serve exited before it was ready")
        try:
            if (await client.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("office serve was not ready within 60 s")


async def submit(client: httpx.AsyncClient, description: str, tally: Tally | None) -> str:
    began = time.perf_counter()
    answer = await client.post("/tasks", json={"description": description})
    if tally is not None:
        tally.submit_latencies.append(time.perf_counter() - began)
    answer.raise_for_status()
    task_id: str = answer.json()["task_id"]
    return task_id


def _slot_task(load: str, trace: str, slot: int) -> str:
    """The task a slot starts with: the trace task (churn), or a write that waits for a
    human (waiting: it runs, holding its run slot, until the server stops)."""
    return trace if load == "churn" else f'Write "hello" to the file notes-{slot}.md'


async def finish(client: httpx.AsyncClient, task_id: str) -> None:
    """Wait until the task has finished."""
    deadline = time.monotonic() + 120
    while (await client.get(f"/tasks/{task_id}/status")).json()["status"] not in FINISHED:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the warm-up task {task_id} did not finish within 120 s")
        await asyncio.sleep(0.1)


async def poll(
    client: httpx.AsyncClient,
    slot: Slot,
    description: str,
    state: dict[str, Any],
    interval: float,
) -> None:
    """One client: poll the slot's task; replace it with a new task once it has finished."""
    while not state["stop"]:
        tally: Tally | None = state["tally"]
        task_id = slot.task_id
        began = time.perf_counter()
        answer = await client.get(f"/tasks/{task_id}/status")
        elapsed = time.perf_counter() - began
        if tally is not None:
            tally.latencies.append(elapsed)
            tally.codes[answer.status_code] += 1
        if answer.status_code != 200:
            continue
        status = answer.json()["status"]
        if slot.task_id == task_id:
            slot.status = status
        if status in FINISHED and not slot.lock.locked():
            async with slot.lock:
                if slot.task_id == task_id:  # not replaced by another client meanwhile
                    if tally is not None:
                        tally.tasks_finished[status] += 1
                    slot.task_id = await submit(client, description, tally)
                    slot.status = "queued"
        if interval:
            await asyncio.sleep(interval)


async def sample_load(slots: list[Slot], state: dict[str, Any]) -> None:
    """Every 0.5 s: how many slots hold an unfinished task, and how many run."""
    while not state["stop"]:
        tally: Tally | None = state["tally"]
        if tally is not None:
            tally.in_flight_samples.append(sum(s.status not in FINISHED for s in slots))
            tally.running_samples.append(sum(s.status == "running" for s in slots))
        await asyncio.sleep(0.5)


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "median": round(statistics.median(ordered) * 1000, 2),
        "p95": round(cut[94] * 1000, 2),
        "p99": round(cut[98] * 1000, 2),
        "max": round(ordered[-1] * 1000, 2),
        "mean": round(statistics.fmean(ordered) * 1000, 2),
    }


async def measure(
    url: str, key: str, description: str, args: argparse.Namespace, server: subprocess.Popen[bytes]
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"}
    clients = [
        httpx.AsyncClient(base_url=url, headers=headers, timeout=60.0) for _ in range(args.clients)
    ]
    try:
        await wait_ready(clients[0], server)
        # Two tasks to their end first: the second recalls the first's plan, which loads the
        # memory's embedding model; the measurement starts on a warm server.
        for _ in range(2):
            await finish(clients[0], await submit(clients[0], description, None))
        slots = [
            Slot(await submit(clients[0], _slot_task(args.load, description, i), None))
            for i in range(args.tasks)
        ]
        state: dict[str, Any] = {"stop": False, "tally": None}
        workers = [
            asyncio.create_task(
                poll(client, slots[i % args.tasks], description, state, args.interval)
            )
            for i, client in enumerate(clients)
        ]
        workers.append(asyncio.create_task(sample_load(slots, state)))
        await asyncio.sleep(args.warmup)
        tally = state["tally"] = Tally()
        began = time.perf_counter()
        await asyncio.sleep(args.seconds)
        state["tally"] = None
        window = time.perf_counter() - began
        state["stop"] = True
        await asyncio.gather(*workers)
    finally:
        for client in clients:
            await client.aclose()
    return summarize(tally, window, args)


def summarize(tally: Tally, window: float, args: argparse.Namespace) -> dict[str, Any]:
    status_ms = _ms(tally.latencies)
    return {
        "load": args.load,
        "memory": args.memory,
        "clients": args.clients,
        "tasks_kept_in_flight": args.tasks,
        "poll_interval_seconds": args.interval,
        "window_seconds": round(window, 2),
        "status_requests": len(tally.latencies),
        "status_requests_per_second": round(len(tally.latencies) / window, 1),
        "status_codes": {str(code): count for code, count in sorted(tally.codes.items())},
        "status_ms": status_ms,
        "p95_under_target": status_ms["p95"] < TARGET_P95_MS,
        "submit_ms": _ms(tally.submit_latencies) if len(tally.submit_latencies) > 1 else None,
        "tasks_finished": dict(tally.tasks_finished),
        "tasks_finished_per_second": round(sum(tally.tasks_finished.values()) / window, 2),
        "tasks_in_flight": {
            "min": min(tally.in_flight_samples),
            "mean": round(statistics.fmean(tally.in_flight_samples), 1),
        },
        "tasks_running_seen": {
            "min": min(tally.running_samples),
            "mean": round(statistics.fmean(tally.running_samples), 1),
            "max": max(tally.running_samples),
        },
    }


def run_scenario(args: argparse.Namespace) -> dict[str, Any]:
    """One server, one measurement."""
    with tempfile.TemporaryDirectory(prefix="api-bench-") as name:
        temporary = Path(name)
        config, key, description = prepare(temporary, args.tasks, args.memory)
        port = free_port()
        server = start_server(config, port, temporary / "serve.log")
        try:
            return asyncio.run(measure(f"http://127.0.0.1:{port}", key, description, args, server))
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def main(argv: list[str] | None = None) -> int:
    """Measure closed-loop and polling clients, write the JSON report, print a summary."""
    parser = argparse.ArgumentParser(description="GET /tasks/{id}/status under load.")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/api.json")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--tasks", type=int, default=20, help="tasks kept queued or running")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured window")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds first")
    parser.add_argument(
        "--interval",
        type=float,
        action="append",
        help="seconds each client waits between polls; repeat for several scenarios"
        " (default: 0.5, 0.1 and 0: a UI's pace, an eager client, back to back)",
    )
    parser.add_argument(
        "--scenario",
        choices=list(SCENARIOS),
        action="append",
        help="the tasks' load and the server's plan memory; repeat for several"
        " (default: every one)",
    )
    args = parser.parse_args(argv)
    intervals = args.interval or [0.5, 0.1, 0.0]
    chosen = [SCENARIOS[name] for name in args.scenario or list(SCENARIOS)]

    began = time.perf_counter()
    scenarios = []
    for (load, memory), interval in ((c, i) for c in chosen for i in intervals):
        scenario = argparse.Namespace(
            **{**vars(args), "interval": interval, "memory": memory, "load": load}
        )
        load_before = os.getloadavg()[0]
        result = run_scenario(scenario)
        # The machine may be shared: say how busy it was.
        result["load_average_1m"] = {"before": load_before, "after": os.getloadavg()[0]}
        scenarios.append(result)
        status = result["status_ms"]
        print(
            f"{load:<7} memory {'on ' if memory else 'off'}  interval {interval:>4} s:"
            f" {result['status_requests_per_second']:>7.1f} status/s"
            f"  p50 {status['median']:.1f} ms  p95 {status['p95']:.1f} ms"
            f"  p99 {status['p99']:.1f} ms  running {result['tasks_running_seen']['mean']}"
            f"  tasks done {sum(result['tasks_finished'].values())}"
            f"  {'under' if result['p95_under_target'] else 'OVER'} {TARGET_P95_MS:.0f} ms"
        )
    elapsed = time.perf_counter() - began
    report = {
        **provenance("api"),
        "method": {
            "server": "`office serve` in its own process: API + local worker, SQLite file,"
            " offline brain, max_concurrent_runs = tasks kept in flight",
            "load": "each task slot holds a trace task on a copy of examples/sample_app; a"
            " client that sees its slot's task finished submits the next (POST /tasks)",
            "clients": "one httpx2.AsyncClient (one connection) per client; client i polls"
            " GET /tasks/{id}/status of slot i mod tasks",
            "latency": "time.perf_counter around each request, in the client, after warm-up",
            "statistics": "median, p95 and p99 (inclusive quantiles), max and mean",
            "target": f"p95 of GET /tasks/{{id}}/status under {TARGET_P95_MS:.0f} ms",
        },
        "seconds_total": round(elapsed, 1),
        "scenarios": scenarios,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"report written to {args.out}")
    # Failed requests fail the run; a slow machine only shows in the figures.
    answered = all(set(s["status_codes"]) == {"200"} for s in scenarios)
    return 0 if answered else 1


if __name__ == "__main__":
    sys.exit(main())
