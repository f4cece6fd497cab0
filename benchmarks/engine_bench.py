"""Engine benchmark: our scheduler on the inline and local runtimes against LangGraph.

Usage: `python -m benchmarks.engine_bench --out benchmarks/results/engine.json` (what
`make bench` runs). Each (scenario, system) pair runs in a fresh subprocess
(`benchmarks.harness`) so that its peak RSS is its own; the pairs run one after another
so that they do not compete for the two cores. The JSON report holds every figure, the
ratio of ours to the peer measured in the same run, and the issue's targets.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from benchmarks.provenance import ROOT, provenance
from benchmarks.report import LABELS, build_report, summary_table

__all__ = ["PLAN", "main"]


# (scenario, system), in the order they run.
PLAN: tuple[tuple[str, str], ...] = (
    *(
        ("fanout500_sleep50ms", system)
        for system in (
            "ours_inline",
            "ours_local",
            "langgraph",
            "langgraph_sqlite",
            "asyncio",
            "durable_floor",
        )
    ),
    *(
        (shape, system)
        for shape in ("fanout500", "chain200")
        for system in (
            "ours_inline",
            "ours_local",
            "ours_local_full",
            "langgraph",
            "langgraph_sqlite",
            "langgraph_sqlite_async",
            "asyncio",
            "durable_floor",
        )
    ),
)

VERSIONED = (
    "intelligent-office",
    "langgraph",
    "langgraph-checkpoint",
    "langgraph-checkpoint-sqlite",
    "aiosqlite",
    "sqlalchemy",
    "pydantic",
)

SCENARIO_TIMEOUT_SECONDS = 120


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def header(repeats: int, warmup: int) -> dict[str, Any]:
    """Machine, versions and method: everything needed to read the figures."""
    return {
        **provenance("engine"),
        "versions": {name: _version(name) for name in VERSIONED},
        # Other work on the machine inflates every figure, ours and the peer's alike.
        "load_average_1m": {"start": round(os.getloadavg()[0], 2)},
        "method": {
            "isolation": "each (scenario, system) pair in a fresh subprocess, one at a time",
            "warmup_runs": warmup,
            "timed_runs": repeats,
            "statistic": "median of the timed runs (best also given)",
            "timer": "time.perf_counter around one run; graph construction timed apart",
            "rss": (
                "peak_rss_mb = ru_maxrss of the scenario's process at the end; "
                "baseline_rss_mb = ru_maxrss right after importing what the system needs; "
                "rss_growth_mb = peak - baseline"
            ),
            "us_per_node": "median wall time of one run / nodes in the graph",
            "systems": LABELS,
        },
    }


def run_one(scenario: str, system: str, repeats: int, warmup: int) -> dict[str, Any]:
    """Measure one pair in a fresh interpreter; an error is returned, not raised."""
    command = [
        sys.executable,
        "-m",
        "benchmarks.harness",
        system,
        scenario,
        f"--repeats={repeats}",
        f"--warmup={warmup}",
    ]
    try:
        done = subprocess.run(
            command,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=SCENARIO_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {SCENARIO_TIMEOUT_SECONDS} s"}
    if done.returncode != 0:
        last_lines = done.stderr.strip().splitlines()
        return {"error": last_lines[-1] if last_lines else f"exit status {done.returncode}"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the plan, write the JSON report and print the summary table."""
    parser = argparse.ArgumentParser(description="Engine benchmark: ours vs LangGraph.")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/engine.json")
    parser.add_argument("--repeats", type=int, default=9, help="timed runs per pair")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first")
    args = parser.parse_args(argv)

    console = Console()
    if not console.is_terminal:
        # Logs and pipes get the full table rather than 80 wrapped columns.
        console.width = max(console.width, 120)
    facts = header(args.repeats, args.warmup)
    measured: dict[str, dict[str, dict[str, Any]]] = {}
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("engine benchmark", total=len(PLAN))
        for scenario, system in PLAN:
            progress.update(task, description=f"{scenario:<20} {system}")
            result = run_one(scenario, system, args.repeats, args.warmup)
            measured.setdefault(scenario, {})[system] = result
            if "error" in result:
                progress.console.print(f"[red]{scenario} {system} failed:[/] {result['error']}")
            progress.advance(task)

    facts["load_average_1m"]["end"] = round(os.getloadavg()[0], 2)
    report = build_report(measured, facts)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    console.print(summary_table(report))
    missed = [t for t in report["targets"] if t["met"] is False]
    for target in missed:
        console.print(
            f"[yellow]target missed:[/] {target['goal']} - {target['system']} on "
            f"{target['scenario']}: {target['metric']} = {target['value']:g}"
        )
    console.print(f"report written to {args.out}")
    failed = [pair for pair in PLAN if "error" in measured[pair[0]][pair[1]]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
