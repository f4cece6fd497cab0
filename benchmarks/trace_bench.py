"""trace_calls benchmark: one end-to-end call on a generated 1,000-file Python tree.

Usage: `python -m benchmarks.trace_bench --out benchmarks/results/trace.json` (what
`make bench` runs). The tree is the same on every run (seeded): packages of modules
with classes, typed attributes, helpers calling helpers in other modules through every
import form, and one long chain of calls from `main` through many modules, which the
tool must find with the exact number of calls the generator built. Timed: the tool
call itself (parse every file, resolve every call, search), median of the runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.provenance import ROOT, provenance
from intelligent_office.tools import ToolContext
from intelligent_office.tools.code_analyzer import trace_calls

__all__ = ["GeneratedTree", "generate_tree", "main"]

TARGET_SECONDS = 5.0
PACKAGES = 25
MODULES_PER_PACKAGE = 39  # plus each package's __init__.py: 25 * 40 = 1,000 files
CHAIN_MODULES = 120
SEED = 20_240_611


@dataclass(frozen=True)
class GeneratedTree:
    """What was generated, and the chain the tool has to find."""

    files: int
    lines: int
    bytes: int
    start: str
    end: str
    chain_calls: int


def _module(package: int, module: int) -> str:
    return f"pkg_{package:02d}.mod_{module:02d}"


def _chain_link_call(index: int, target: str) -> tuple[list[str], list[str], int]:
    """Imports and body lines for `link_{index}` calling `link_{index + 1}`; and the calls."""
    package, _, module = target.rpartition(".")
    following = f"link_{index + 1}"
    form = index % 4
    if form == 0:  # from pkg.mod import f
        return [f"from {target} import {following}"], [f"    return {following}(value + 1)"], 1
    if form == 1:  # import pkg.mod as alias; alias.f()
        return (
            [f"import {target} as next_module"],
            [f"    return next_module.{following}(value + 1)"],
            1,
        )
    if form == 2:  # a relay object: constructor, then a method that calls a private method
        return (
            [f"from {package} import {module}"],
            [
                f"    relay = Relay{index}(value)",
                "    return relay.forward()",
                "",
                "",
                f"class Relay{index}:",
                "    def __init__(self, value: int) -> None:",
                "        self.value = value",
                "",
                "    def forward(self) -> int:",
                "        return self._send(self.value + 1)",
                "",
                "    def _send(self, value: int) -> int:",
                f"        return {module}.{following}(value)",
            ],
            3,  # link -> forward -> _send -> next link
        )
    return (  # from pkg import mod; mod.f()
        [f"from {package} import {module}"],
        [f"    return {module}.{following}(value + 1)"],
        1,
    )


def _module_source(
    rng: random.Random,
    package: int,
    module: int,
    all_modules: list[str],
    chain: dict[str, tuple[int, str | None]],
) -> tuple[str, int]:
    """One module's source, and the calls its chain link adds (0 outside the chain)."""
    name = _module(package, module)
    others = [other for other in all_modules if other != name]
    dependency = rng.choice(others)
    helper_source = rng.choice(others)
    dependency_package, _, dependency_module = dependency.rpartition(".")
    imports = [
        "from __future__ import annotations",
        "",
        "import os",
        "from collections import defaultdict",
        "",
        f"from {dependency_package} import {dependency_module} as dependency",
        f"from {helper_source} import helper_{rng.randrange(5)} as imported_helper",
    ]
    body = [
        "",
        f"LIMIT = {rng.randrange(10, 99)}",
        "",
        "",
        f"class Service{module:02d}:",
        f'    """Service {package}.{module}."""',
        "",
        "    def __init__(self, size: int) -> None:",
        "        self.size = size",
        f"        self.store = dependency.Service{int(dependency_module[-2:]):02d}(size)",
        "        self.counts: defaultdict[str, int] = defaultdict(int)",
        "",
        "    def step(self, value: int) -> int:",
        "        if value > self.size:",
        "            return self._adjust(value)",
        "        return self.store.size + value",
        "",
        "    def _adjust(self, value: int) -> int:",
        "        self.counts[str(value)] += 1",
        "        return self.check(value) and value - LIMIT",
        "",
        "    @classmethod",
        f"    def build(cls) -> Service{module:02d}:",
        "        return cls(LIMIT)",
        "",
        "    @staticmethod",
        "    def check(value: int) -> bool:",
        "        return value >= 0",
        "",
    ]
    for helper in range(5):
        body += [
            "",
            f"def helper_{helper}(items: list[int]) -> int:",
            f'    """Helper {helper}: sums, filters and delegates."""',
            "    total = 0",
            "    for item in items:",
            "        if item % 2:",
            "            total += item * LIMIT",
            "        else:",
            "            total -= len(os.sep)",
            f"    service = Service{module:02d}.build()",
            "    service.step(total)",
            f"    return imported_helper([total]) if total > {1000 + helper} else total",
            "",
        ]
    calls = 0
    if name in chain:
        index, following = chain[name]
        body += ["", f"def link_{index}(value: int) -> int:", "    helper_0([value])"]
        if following is None:
            body.append("    return value")
        else:
            link_imports, link_body, calls = _chain_link_call(index, following)
            imports += link_imports
            body += link_body
    if name == _module(0, 0):
        body += ["", "", "def main() -> int:", "    return link_0(0)"]
        calls += 1
    return "\n".join([f'"""Generated module {name}."""', "", *imports, *body, ""]), calls


def generate_tree(root: Path, seed: int = SEED) -> GeneratedTree:
    """Write the benchmark tree under `root` (deterministic for a seed)."""
    rng = random.Random(seed)
    all_modules = [
        _module(package, module)
        for package in range(PACKAGES)
        for module in range(MODULES_PER_PACKAGE)
    ]
    # The chain starts in pkg_00.mod_00 (where main is) and visits modules in a shuffled order.
    chain_order = [all_modules[0], *rng.sample(all_modules[1:], CHAIN_MODULES - 1)]
    chain: dict[str, tuple[int, str | None]] = {
        name: (index, chain_order[index + 1] if index + 1 < len(chain_order) else None)
        for index, name in enumerate(chain_order)
    }
    files = lines = size = chain_calls = 0
    for package in range(PACKAGES):
        directory = root / f"pkg_{package:02d}"
        directory.mkdir(parents=True)
        init = f'"""Generated package {package}."""\n'
        (directory / "__init__.py").write_text(init)
        files, lines, size = files + 1, lines + 1, size + len(init)
        for module in range(MODULES_PER_PACKAGE):
            source, calls = _module_source(rng, package, module, all_modules, chain)
            (directory / f"mod_{module:02d}.py").write_text(source)
            files, lines, size = files + 1, lines + source.count("\n"), size + len(source)
            chain_calls += calls
    return GeneratedTree(
        files=files,
        lines=lines,
        bytes=size,
        start="pkg_00.mod_00.main",
        end=f"link_{CHAIN_MODULES - 1}",
        chain_calls=chain_calls,
    )


async def _timed_runs(workspace: Path, tree: GeneratedTree, runs: int) -> tuple[list[float], Any]:
    context = ToolContext(workspace=workspace)
    arguments = {"root": "tree", "start": tree.start, "end": tree.end, "max_paths": 1}
    seconds: list[float] = []
    result: Any = None
    for _ in range(runs):
        began = time.perf_counter()
        result = await trace_calls(context, arguments)
        seconds.append(time.perf_counter() - began)
    return seconds, result


def main(argv: list[str] | None = None) -> int:
    """Generate the tree, time the tool, write the JSON report and print a summary."""
    parser = argparse.ArgumentParser(description="trace_calls on a generated 1,000-file tree.")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/trace.json")
    parser.add_argument("--runs", type=int, default=5, help="timed runs (after one warm-up)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="trace-bench-") as temporary:
        workspace = Path(temporary)
        tree = generate_tree(workspace / "tree")
        # The warm-up run pays for imports and fills the OS file cache.
        seconds, result = asyncio.run(_timed_runs(workspace, tree, args.runs + 1))
    seconds = seconds[1:]
    paths = result["paths"]
    chain_found = len(paths[0]["calls"]) if paths else 0
    median = statistics.median(seconds)
    chain_correct = bool(result["found"]) and chain_found == tree.chain_calls
    report = {
        **provenance("trace_calls"),
        "method": (
            "one trace_calls tool call per run (parse every file, resolve every call, "
            f"search) on a seeded generated tree; one warm-up, then {args.runs} timed runs"
        ),
        "files": tree.files,
        "lines": tree.lines,
        "bytes": tree.bytes,
        "files_parsed": result["files_parsed"],
        "skipped": len(result["skipped"]),
        "chain_calls_expected": tree.chain_calls,
        "chain_calls_found": chain_found,
        "chain_correct": chain_correct,
        "runs": len(seconds),
        "seconds_median": round(median, 4),
        "seconds_best": round(min(seconds), 4),
        "seconds_all": [round(value, 4) for value in seconds],
        "target_seconds": TARGET_SECONDS,
        "passed": chain_correct and median < TARGET_SECONDS,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"trace_calls on {tree.files} files ({tree.lines:,} lines): "
        f"median {median:.2f} s, best {min(seconds):.2f} s over {len(seconds)} runs "
        f"(target < {TARGET_SECONDS:g} s)"
    )
    print(
        f"chain from {tree.start} to {tree.end}: {chain_found} calls found, "
        f"{tree.chain_calls} built -> {'ok' if chain_correct else 'WRONG'}"
    )
    print(f"{'passed' if report['passed'] else 'FAILED'}; report written to {args.out}")
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
