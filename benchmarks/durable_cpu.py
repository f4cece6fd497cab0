"""CPU time per node of the local runtime's durable path, in one process.

Usage: `python -m benchmarks.durable_cpu chain200 --runs=7` (shapes as in
`benchmarks.harness`). Runs the `ours_local` subject once untimed, then `--runs` times,
and prints the median CPU time (`time.process_time`: every thread of the process, the
journal's writer and checkpoint threads included) and wall time per node. On a machine
that other work shares, CPU time compares two versions of the code better than wall
time: run them in turns.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.harness import SHAPES
from benchmarks.ours import open_subject

__all__ = ["main"]


async def measure(shape_name: str, runs: int) -> tuple[float, float]:
    """Median (CPU, wall) microseconds per node over `runs` timed runs."""
    shape = SHAPES[shape_name]
    cpu: list[float] = []
    wall: list[float] = []
    with tempfile.TemporaryDirectory(prefix="durable-cpu-") as workdir:
        subject = await open_subject("ours_local", shape, Path(workdir))
        try:
            subject.build()
            await (await subject.prepare())()  # warm-up
            for _ in range(runs):
                run = await subject.prepare()
                gc.collect()
                started_cpu, started = time.process_time(), time.perf_counter()
                await run()
                cpu.append((time.process_time() - started_cpu) / subject.nodes * 1e6)
                wall.append((time.perf_counter() - started) / subject.nodes * 1e6)
        finally:
            await subject.close()
    return statistics.median(cpu), statistics.median(wall)


def main(argv: list[str] | None = None) -> None:
    """Measure one shape and print its CPU and wall time per node."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shape", choices=sorted(SHAPES))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    cpu, wall = asyncio.run(measure(args.shape, args.runs))
    print(f"{args.shape}: {cpu:.0f} us CPU per node, {wall:.0f} us wall per node")


if __name__ == "__main__":
    main()
