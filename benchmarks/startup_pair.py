"""Two checkouts' offline `office run`, alternately, as `startup_bench` measures one.

Usage: `python -m benchmarks.startup_pair /work/main /work/wt/branch --repeat 7`
(run without PYTHONDONTWRITEBYTECODE, so neither checkout recompiles every run).

Each checkout runs with PYTHONPATH set to it, through this interpreter's `office`
script, in a new empty workspace directory, the cases of `startup_bench`: `calc` and
`trace` in a copy of a home that holds one earlier task (memory on: the run recalls),
`new` with a new home, `off` with memory off. The home is made once per checkout by
its own code. Runs alternate between the checkouts, so load on a shared machine falls on
both alike; each figure is the median (wall, CPU with waited-for children, peak RSS of
the command's own process and with the processes it started: `startup_bench._whole`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.startup_bench import CALC, MEMORY_OFF, ROOT, TRACE, _whole

__all__ = ["main"]

CASES = ("calc", "trace", "new", "off")


def _env(checkout: Path, home: Path, case: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFFICE_")}
    for key in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "PYTHONDONTWRITEBYTECODE"):
        env.pop(key, None)
    env |= {"PYTHONPATH": f"{checkout}/src:{checkout}", "OFFICE_HOME": str(home)}
    env |= {"COLUMNS": "100"} | ({"OFFICE_MEMORY": MEMORY_OFF} if case == "off" else {})
    return env


def main(argv: list[str] | None = None) -> int:
    """Measure and print one line per case and checkout."""
    parser = argparse.ArgumentParser(description="Two checkouts' offline office run.")
    parser.add_argument("checkouts", nargs=2, type=Path)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--cases", default=",".join(CASES))
    args = parser.parse_args(argv)
    office = str(Path(sys.executable).with_name("office"))
    cases = args.cases.split(",")
    root = Path(tempfile.mkdtemp(prefix="startup-pair-"))
    runs = 0

    def run(checkout: Path, case: str, prepared: Path | None) -> dict[str, float]:
        nonlocal runs
        runs += 1
        work, home = root / f"work-{runs}", root / f"home-{runs}"
        work.mkdir()
        if prepared is not None and case != "new":
            shutil.copytree(prepared, home)
        description = TRACE if case == "trace" else CALC
        command = [office, "run", description, "--workspace", str(ROOT)]
        return _whole(command, env=_env(checkout, home, case), cwd=work)

    try:
        prepared = {}
        for checkout in args.checkouts:
            home = root / f"prepared-{len(prepared)}"
            (root / "work-0").mkdir(exist_ok=True)
            command = [office, "run", "What is 3*7?", "--workspace", str(ROOT)]
            _whole(command, env=_env(checkout, home, "calc"), cwd=root / "work-0")
            prepared[checkout] = home
            run(checkout, "calc", home)  # warm-up
        samples: dict[tuple[str, Path], list[dict[str, float]]] = {}
        for _ in range(args.repeat):
            for case in cases:
                for checkout in args.checkouts:
                    samples.setdefault((case, checkout), []).append(
                        run(checkout, case, prepared[checkout])
                    )
        for (case, checkout), values in samples.items():
            wall, cpu, rss, total = (
                statistics.median(v[key] for v in values)
                for key in ("wall_s", "cpu_s", "peak_rss_mib", "total_peak_rss_mib")
            )
            print(
                f"{case:6} {checkout}  wall {wall:.3f} s  cpu {cpu:.3f} s  peak {rss:.1f} MiB"
                f"  with its children {total:.1f} MiB"
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
