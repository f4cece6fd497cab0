"""Start-up and memory benchmark: what a user waits for, and what the server holds.

Usage: `python -m benchmarks.startup_bench --out benchmarks/results/startup.json` (what
`make bench` runs); `--peer-python PATH` names an interpreter with LangGraph installed
(default: this one, as in .venv-bench).

Every figure is a whole process, as a user starts it, the median of `--repeat` (3) runs:
its wall time, its CPU time (user + sys, the load-independent figure on a shared machine)
and its peak RSS (the child's VmHWM, read every 5 ms while it runs):

- `help`: `office --help`.
- `run_calc` / `run_trace`: an offline `office run` (no provider configured, local
  runtime, SQLite, memory on) of "What is 2+2?" and of the sample trace, each in a copy
  of a home whose database is already made and whose memory holds one earlier task,
  so the run recalls similar plans (embedding with the local MiniLM) as a user's second
  run does. `run_calc_new_home` is the very first run: a new database is made.
  `run_calc_memory_off` is `run_calc` with memory off (no embedder).
- `serve`: `office serve` until its first `/healthz` answer, its RSS then (idle), and
  its RSS after 20 tasks (calculations and traces) submitted over the API have finished,
  memory on.
- `peer`: `python -c "import langgraph.graph, langgraph.checkpoint.sqlite"`, measured
  in the same run, between ours, so machine load affects both alike.
- `embedder`: the local MiniLM on each runtime (numpy, the default, and torch): load
  time, RSS before and after loading, one text and a batch of 32, and how far apart
  their vectors are.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.provenance import ROOT, provenance

__all__ = ["main"]

SAMPLE_APP = ROOT / "examples" / "sample_app"
CALC = "What is 2+2?"
TRACE = "Trace the call sequence from main() to process_data() in examples/sample_app"
PEER = "import langgraph.graph, langgraph.checkpoint.sqlite"
MEMORY_OFF = '{"enabled": false}'
FINISHED = {"completed", "unsupported", "dead_lettered", "failed", "cancelled"}
TASKS = 20


def _office() -> list[str]:
    """The `office` console script beside this interpreter, else the module."""
    script = Path(sys.executable).with_name("office")
    return [str(script)] if script.exists() else [sys.executable, "-m", "intelligent_office.cli"]


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFFICE_")}
    for key in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        env.pop(key, None)  # offline: no provider configured
    return env | {"OFFICE_HOME": str(home), "COLUMNS": "100"} | extra


def _children_cpu() -> float:
    """CPU seconds (user + sys) of this process's children that have been waited for."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _whole(command: list[str], *, env: dict[str, str], cwd: Path) -> dict[str, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one process, run to its end.

    The peak is the child's own high-water mark (VmHWM), read every 5 ms while it runs:
    not `ru_maxrss`, which a child started by vfork inherits from this (larger) process.
    The processes it starts (the sandbox probe; with memory on, the embedder's helper) are
    read the same way: `children_peak_rss_mib` adds up their peaks, `total_peak_rss_mib`
    is the command's and theirs, what the run holds at most if they peak together.
    CPU is the child's user + sys time with the processes it waited for (the sandbox
    probe's): unlike wall time, it hardly moves with the machine's load.
    """
    with tempfile.TemporaryFile() as errors:
        cpu_before = _children_cpu()
        began = time.perf_counter()
        child = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors
        )
        peak = 0.0
        # pid -> its high-water mark when last read, for each process it started. The last
        # reading, not the largest: a child just forked, before its exec, shares (and is
        # charged) the command's pages; exec starts a new image and a new high-water mark.
        children: dict[int, float] = {}
        while child.poll() is None:
            try:
                peak = max(peak, _vm(child.pid, "VmHWM"))
                for pid in _children(child.pid):
                    children[pid] = _vm(pid, "VmHWM")
            except (OSError, RuntimeError):  # exiting: its memory is already gone
                pass
            time.sleep(0.005)
        wall = time.perf_counter() - began
        cpu = _children_cpu() - cpu_before
        if child.returncode != 0:
            errors.seek(0)
            error = errors.read().decode(errors="replace")
            raise RuntimeError(f"{command} exited {child.returncode}: {error[-2000:]}")
    helpers = round(sum(children.values()), 1)
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "peak_rss_mib": peak,
        "children_peak_rss_mib": helpers,
        "total_peak_rss_mib": round(peak + helpers, 1),
    }


def _children(pid: int) -> list[int]:
    """The processes `pid` started that still run (the sandbox probe, the embedder's helper)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _median(samples: list[dict[str, float]]) -> dict[str, Any]:
    keys = samples[0].keys()
    return {k: round(statistics.median(s[k] for s in samples), 3) for k in keys} | {"runs": samples}


def _prepared_home(root: Path, name: str, description: str) -> Path:
    """A home whose database is made and whose memory holds one earlier task."""
    home = root / name
    command = [*_office(), "run", description, "--workspace", str(ROOT)]
    _whole(command, env=_env(home), cwd=root)
    return home


def _measure_run(
    name: str, description: str, prepared: Path | None, root: Path, rep: int, **extra: str
) -> dict[str, float]:
    home = root / f"{name}-{rep}"
    if prepared is not None:
        shutil.copytree(prepared, home)
    command = [*_office(), "run", description, "--workspace", str(ROOT)]
    return _whole(command, env=_env(home, **extra), cwd=ROOT)


def _vm(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no {field} for process {pid}")


def _request(url: str, *, key: str | None = None, body: dict[str, Any] | None = None) -> Any:
    """JSON from the server (None for an empty or non-JSON body)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    with urllib.request.urlopen(request, timeout=30) as answer:
        raw = answer.read()
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _serve_config(root: Path) -> tuple[Path, str, Path]:
    """A config (memory on), an operator key and the workspace the traces read."""
    import yaml

    from intelligent_office.settings import load_settings
    from intelligent_office.store import Store

    workspace = root / "workspace"
    shutil.copytree(SAMPLE_APP, workspace / "sample_app")
    config = {
        "home": str(root / "home"),
        "workspace_roots": [str(workspace)],
        "api": {"requests_per_minute": 1_000_000, "max_concurrent_tasks": 1_000},
        "memory": {"enabled": True},
    }
    path = root / "office.yaml"
    path.write_text(yaml.safe_dump(config))
    store = Store.open(load_settings(path).resolved_database_url)  # migrated before the start
    try:
        _, key = store.api_keys.create(user_id="bench", role="operator", name="startup_bench")
    finally:
        store.close()
    return path, key, workspace


def _measure_serve(root: Path) -> dict[str, float]:
    config, key, workspace = _serve_config(root)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [*_office(), "serve", "--port", str(port), "--config", str(config)]
    began = time.perf_counter()
    log = (root / "serve.log").open("wb")
    server = subprocess.Popen(command, env=_env(root / "home"), cwd=root, stdout=log, stderr=log)
    try:
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"office serve exited: see {root / 'serve.log'}")
            try:
                _request(f"{url}/healthz")
                break
            except OSError:
                time.sleep(0.02)
            if time.perf_counter() - began > 120:
                raise RuntimeError("office serve did not answer /healthz within 120 s")
        ready = time.perf_counter() - began
        time.sleep(1.0)
        idle = _vm(server.pid, "VmRSS")
        trace = f"Trace the call sequence from main() to process_data() in {workspace}/sample_app"
        ids = []
        for number in range(TASKS):
            description = trace if number % 2 else f"What is {number}+{number * 3}?"
            ids.append(_request(f"{url}/tasks", key=key, body={"description": description}))
        pending = {answer["task_id"] for answer in ids}
        deadline = time.monotonic() + 300
        while pending:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{len(pending)} tasks did not finish within 300 s")
            for task_id in list(pending):
                status = _request(f"{url}/tasks/{task_id}/status", key=key)["status"]
                if status in FINISHED:
                    pending.discard(task_id)
            time.sleep(0.2)
        time.sleep(1.0)
        return {
            "healthz_s": round(ready, 3),
            "idle_rss_mib": idle,
            "after_tasks_rss_mib": _vm(server.pid, "VmRSS"),
            "peak_rss_mib": _vm(server.pid, "VmHWM"),
        }
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _probe_embedder(runtime: str) -> dict[str, Any]:
    """In this process: load the local MiniLM on `runtime` and time it (run as a child)."""

    def rss() -> float:
        return _vm(os.getpid(), "VmRSS")

    from intelligent_office.memory.embeddings.local import LocalMiniLM

    one = [TRACE]
    batch = [f"Calculate {i}*{i + 3} and write it to out/result_{i}.txt" for i in range(32)]
    before = rss()
    began = time.perf_counter()
    model = LocalMiniLM(runtime="numpy" if runtime == "numpy" else "torch")
    model.embed(["warm up"])
    load = time.perf_counter() - began
    loaded = rss()

    def timed(texts: list[str], times: int) -> float:
        samples = []
        for _ in range(times):
            start = time.perf_counter()
            model.embed(texts)
            samples.append(time.perf_counter() - start)
        return round(statistics.median(samples) * 1000, 1)

    return {
        "runtime": runtime,
        "load_s": round(load, 3),
        "rss_before_mib": before,
        "rss_loaded_mib": loaded,
        "one_text_ms": timed(one, 20),
        "batch_32_ms": timed(batch, 5),
        "rss_after_use_mib": rss(),
        "vectors": model.embed(one + batch),
    }


def _embedders() -> dict[str, Any]:
    results = {}
    for runtime in ("numpy", "torch"):
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.startup_bench", "--probe-embedder", runtime],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        results[runtime] = json.loads(done.stdout)
    ours, theirs = results["numpy"].pop("vectors"), results["torch"].pop("vectors")
    gap = max(
        abs(a - b) for x, y in zip(ours, theirs, strict=True) for a, b in zip(x, y, strict=True)
    )
    return results | {"max_abs_difference": gap}


def _interleaved(
    cases: dict[str, Callable[[int], dict[str, float]]], repeat: int
) -> dict[str, dict[str, Any]]:
    """Each case `repeat` times, round-robin, so load on the machine falls on all alike."""
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in cases}
    for rep in range(repeat):
        for name, case in cases.items():
            samples[name].append(case(rep))
            print(f"  {name} #{rep + 1}: {samples[name][-1]}", file=sys.stderr)
    return {name: _median(values) for name, values in samples.items()}


def main(argv: list[str] | None = None) -> int:
    """Measure and write the report."""
    parser = argparse.ArgumentParser(description="Start-up time and memory of office.")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/startup.json")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peer-python", default=sys.executable, help="Has LangGraph installed.")
    parser.add_argument("--probe-embedder", choices=["numpy", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe_embedder:
        print(json.dumps(_probe_embedder(args.probe_embedder)))
        return 0
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="startup-bench-") as temporary:
        root = Path(temporary)
        prepared = _prepared_home(root, "prepared", "What is 3*7?")
        peer_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        cases: dict[str, Callable[[int], dict[str, float]]] = {
            "peer": lambda rep: _whole([args.peer_python, "-c", PEER], env=peer_env, cwd=root),
            "help": lambda rep: _whole([*_office(), "--help"], env=_env(root / "h"), cwd=root),
            "run_calc": lambda rep: _measure_run("calc", CALC, prepared, root, rep),
            "run_trace": lambda rep: _measure_run("trace", TRACE, prepared, root, rep),
            "run_calc_new_home": lambda rep: _measure_run("new", CALC, None, root, rep),
            "run_calc_memory_off": lambda rep: _measure_run(
                "off", CALC, prepared, root, rep, OFFICE_MEMORY=MEMORY_OFF
            ),
            "serve": lambda rep: _measure_serve(root / f"serve-{rep}"),
        }
        figures = _interleaved(cases, args.repeat)
    report = provenance("startup") | {
        "method": "whole processes, median of runs interleaved round-robin; peak RSS is the"
        " child's VmHWM polled every 5 ms, and children_peak_rss_mib the peaks of the processes"
        " it started (the sandbox probe, the embedder's helper) added up (serve: VmRSS idle and"
        " after the tasks, VmHWM peak);"
        " CPU is the child's user + sys time with the children it waited for (RUSAGE_CHILDREN)",
        "commands": {
            "peer": f'python -c "{PEER}"',
            "help": "office --help",
            "run_calc": f'office run "{CALC}"',
            "run_calc_memory_off": f"OFFICE_MEMORY='{MEMORY_OFF}' office run \"{CALC}\"",
            "run_trace": f'office run "{TRACE}"',
            "serve": f"office serve; GET /healthz; then {TASKS} tasks over POST /tasks",
        },
        "results": figures,
        "embedder": _embedders(),
        # The machine is shared: its 1/5/15-minute load averages, before and after.
        "load_average": {"before": load_before, "after": os.getloadavg()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: {m: v for m, v in r.items() if m != "runs"} for k, r in figures.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
