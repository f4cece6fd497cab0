"""Offline understanding benchmark: how long the brain takes to decide what a task asks.

Usage: `python -m benchmarks.understanding_bench --out benchmarks/results/understanding.json`
(what `make bench` runs). Every task text of the eval suite (evals/office.yaml) is decided
as the offline brain's decomposer decides it: split into requests, each request read into
an intent or a clarification, each intent written in its canonical form. Caches are
cleared before every decision, so each is timed cold. The target is p95 under 50 ms;
the report also lists any heavy library (a model) the decision imported: there must be none.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.provenance import ROOT, provenance
from intelligent_office.evals.suite import load_suite
from intelligent_office.llm.offline.understanding import split_requests, understand
from intelligent_office.llm.offline.understanding.fuzzy import correct

__all__ = ["decide", "main"]

TARGET_P95_MS = 50.0
_HEAVY = (
    "torch",
    "sentence_transformers",
    "transformers",
    "onnxruntime",
    "openai",
    "anthropic",
    "pydantic_ai",
)


def decide(text: str) -> list[str]:
    """What the decomposer does with a task: its requests, canonical or as asked."""
    described = []
    for request, _ in split_requests(text):
        understood = understand(request)
        if understood.intent is not None:
            described.append(understood.intent.describe())
        elif understood.clarification is not None:
            described.append(understood.clarification.question())
        else:
            described.append(request)
    return described


def _heavy_modules_of_a_decision() -> list[str]:
    """The heavy libraries a fresh process imports to decide one task (must be none)."""
    code = (
        "import sys\n"
        "from intelligent_office.llm.offline.understanding import split_requests, understand\n"
        "for text, _ in split_requests('Trcae main to process_data in app, then who calls it'):\n"
        "    understand(text)\n"
        f"print(','.join(sorted(n for n in {_HEAVY!r} if n in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return [name for name in done.stdout.strip().split(",") if name]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    """Time every suite task's decision, write the JSON report and print a summary."""
    parser = argparse.ArgumentParser(description="Offline understanding: decision time.")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/understanding.json")
    parser.add_argument("--suite", type=Path, default=ROOT / "evals/office.yaml")
    parser.add_argument("--rounds", type=int, default=5, help="times each task is decided")
    args = parser.parse_args(argv)

    texts = [case.task for case in load_suite(args.suite).cases]
    milliseconds: list[float] = []
    understood = 0
    for _ in range(args.rounds):
        for text in texts:
            understand.cache_clear()
            correct.cache_clear()
            started = time.perf_counter()
            decided = decide(text)
            milliseconds.append((time.perf_counter() - started) * 1000)
            understood += all(not line.startswith("Did you mean") for line in decided)
    p95 = _percentile(milliseconds, 0.95)
    report: dict[str, Any] = {
        **provenance("understanding"),
        "method": (
            "split_requests + understand + describe for every task text of the suite, caches"
            f" cleared before each decision, {args.rounds} rounds, one process"
        ),
        "suite": str(
            args.suite.relative_to(ROOT) if args.suite.is_relative_to(ROOT) else args.suite
        ),
        "tasks": len(texts),
        "decisions": len(milliseconds),
        "p50_ms": round(statistics.median(milliseconds), 3),
        "p95_ms": round(p95, 3),
        "max_ms": round(max(milliseconds), 3),
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": p95 < TARGET_P95_MS,
        "heavy_modules_imported": _heavy_modules_of_a_decision(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(  # noqa: T201
        f"understanding: {len(texts)} tasks x {args.rounds}: p50 {report['p50_ms']} ms,"
        f" p95 {report['p95_ms']} ms (target < {TARGET_P95_MS} ms); heavy modules:"
        f" {report['heavy_modules_imported'] or 'none'}"
    )
    return 0 if report["meets_target"] and not report["heavy_modules_imported"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
