"""Sandbox start-up benchmark: the cost per call of each tier against a plain subprocess.

Usage: `python -m benchmarks.sandbox_bench --out benchmarks/results/sandbox.json` (what
`make bench` runs). Each variant runs `/bin/true` (start-up alone) and `python -I -S -c
pass` (start-up plus an interpreter) many times after a warm-up, one call at a time, in
the same process and run:

- plain_subprocess: `asyncio.create_subprocess_exec` with an empty environment, waited
  for; no limits, no isolation (the floor);
- bwrap_bare: bubblewrap with the same namespaces, mounts and seccomp filter as tier A,
  started directly as the service's user (what bubblewrap itself costs);
- tier_A / tier_B / tier_process: a full `Sandbox.run` (per-run cgroup, rlimits, capped
  output, tree kill, workspace scrub), for every tier that works on this machine; tier A
  started by root also leases a uid, starts bubblewrap through prlimit and setpriv, and
  mounts, copies back and unmounts the workspace's overlay.

Each variant reports wall time (median, p95 ...) and the mean CPU time per call.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from benchmarks.provenance import ROOT, provenance
from intelligent_office.tools.sandbox import (
    BubblewrapSandbox,
    Sandbox,
    SandboxCommand,
    SandboxSettings,
    Tier,
    probe_tier,
)

__all__ = ["main"]

Call = Callable[[list[str]], Awaitable[None]]


def _plain(workspace: Path) -> Call:
    async def call(argv: list[str]) -> None:
        process = await asyncio.create_subprocess_exec(*argv, env={}, cwd=workspace)
        await process.wait()

    return call


def _bwrap_bare(sandbox: BubblewrapSandbox, workspace: Path) -> Call:
    async def call(argv: list[str]) -> None:
        fd = os.memfd_create("bench-seccomp", 0)
        try:
            os.write(fd, sandbox._filter)
            os.lseek(fd, 0, os.SEEK_SET)
            command = SandboxCommand(argv, workspace, 10.0)
            process = await asyncio.create_subprocess_exec(
                *sandbox._argv(command, str(workspace), fd), env={}, pass_fds=(fd,)
            )
            await process.wait()
        finally:
            os.close(fd)

    return call


def _sandboxed(sandbox: Sandbox, workspace: Path) -> Call:
    async def call(argv: list[str]) -> None:
        run = await sandbox.run(SandboxCommand(argv, workspace, 10.0))
        if run.exit_code != 0:
            raise RuntimeError(f"{sandbox.tier}: {argv} exited {run.exit_code}: {run.stderr!r}")

    return call


def _stats(samples: list[float]) -> dict[str, float]:
    ms = sorted(sample * 1000 for sample in samples)
    return {
        "median_ms": round(statistics.median(ms), 2),
        "p95_ms": round(statistics.quantiles(ms, n=20, method="inclusive")[18], 2),
        "best_ms": round(ms[0], 2),
        "mean_ms": round(statistics.fmean(ms), 2),
    }


def _cpu_seconds() -> float:
    """CPU time of this process and its waited-for children (the launchers, bubblewrap)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


async def _interleaved(
    calls: dict[str, tuple[Call, list[str]]], runs: int, warmup: int
) -> dict[str, dict[str, float]]:
    """Time every variant in turn, one call each per round, so load drift hits all alike.

    Wall time grows with the machine's load; CPU time per call much less so, which makes
    it the fairer comparison on a shared machine.
    """
    samples: dict[str, list[float]] = {name: [] for name in calls}
    cpu: dict[str, float] = dict.fromkeys(calls, 0.0)
    for round_ in range(warmup + runs):
        for name, (call, argv) in calls.items():
            started, cpu_started = time.perf_counter(), _cpu_seconds()
            await call(argv)
            if round_ >= warmup:
                samples[name].append(time.perf_counter() - started)
                cpu[name] += _cpu_seconds() - cpu_started
    return {
        name: {**_stats(values), "cpu_ms": round(cpu[name] / runs * 1000, 2)}
        for name, values in samples.items()
    }


async def measure(
    runs: int, warmup: int, workspace: Path
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Every variant on every command; also why a tier is missing, if one is."""
    settings = SandboxSettings()
    own_python = os.path.realpath(sys.executable)
    variants: dict[str, tuple[Call, str]] = {"plain_subprocess": (_plain(workspace), own_python)}
    unavailable: dict[str, str] = {}
    sandboxes: dict[Tier, Sandbox] = {}
    for tier in Tier:
        try:
            sandboxes[tier] = await probe_tier(tier, settings)
        except Exception as error:  # recorded in the report
            unavailable[f"tier_{tier.value}"] = str(error)
    tier_a = sandboxes.get(Tier.A)
    if isinstance(tier_a, BubblewrapSandbox):
        variants["bwrap_bare"] = (_bwrap_bare(tier_a, workspace), tier_a.python())
    for tier, sandbox in sandboxes.items():
        variants[f"tier_{tier.value}"] = (_sandboxed(sandbox, workspace), sandbox.python())
    results = []
    for command_name in ("true", "python"):
        calls = {
            variant: (
                call,
                ["/bin/true"] if command_name == "true" else [python, "-I", "-S", "-c", "pass"],
            )
            for variant, (call, python) in variants.items()
        }
        timings = await _interleaved(calls, runs, warmup)
        for variant, timing in timings.items():
            results.append({"command": command_name, "variant": variant, "runs": runs, **timing})
    return results, unavailable


def main(argv: list[str] | None = None) -> int:
    """Measure, write the JSON report and print a summary."""
    parser = argparse.ArgumentParser(description="Sandbox start-up cost per call.")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/sandbox.json")
    parser.add_argument("--runs", type=int, default=100, help="timed calls per variant")
    parser.add_argument("--warmup", type=int, default=5, help="untimed calls first")
    args = parser.parse_args(argv)
    began, load = time.perf_counter(), os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="office-sandbox-bench-") as temporary:
        results, unavailable = asyncio.run(measure(args.runs, args.warmup, Path(temporary)))
    elapsed = time.perf_counter() - began
    report = {
        **provenance("sandbox"),
        "method": {
            "warmup_runs": args.warmup,
            "timed_runs": args.runs,
            "commands": "true: /bin/true; python: python -I -S -c pass (the variant's python)",
            "wall_ms": "time.perf_counter around one call, calls one at a time, variants "
            "interleaved round by round",
            "plain_subprocess": "asyncio.create_subprocess_exec, empty env, no limits",
            "bwrap_bare": "bubblewrap with tier A's arguments and seccomp filter, alone",
            "tier_*": "Sandbox.run: cgroup, rlimits, capped output, tree kill, scrub",
            "statistics": "median, p95 (inclusive quantiles), best and mean",
            "cpu_ms": "mean CPU time per call of this process and its children (user + "
            "system; what a call costs whatever the load)",
            "load_average": "the 1-minute load average when the run began",
        },
        "load_average": round(load, 2),
        "unavailable": unavailable,
        "seconds_total": round(elapsed, 1),
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{'command':8} {'variant':18} {'median ms':>10} {'p95 ms':>8} {'cpu ms':>8}")
    for row in results:
        print(
            f"{row['command']:8} {row['variant']:18} {row['median_ms']:>10} "
            f"{row['p95_ms']:>8} {row['cpu_ms']:>8}"
        )
    for variant, reason in unavailable.items():
        print(f"{variant}: {reason}")
    print(f"report written to {args.out} in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
