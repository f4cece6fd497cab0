"""Agent workflows benchmark: 500 agents across 100 concurrent workflows, ours against LangGraph.

Usage: `python -m benchmarks.agents_bench --out benchmarks/results/agents.json` (what
`make bench` runs). 100 workflows of 5 agents run at the same time; every agent's model
call is simulated by a 50 ms sleep. Half the workflows are diamonds (a -> b, c, d -> e,
critical path 3 calls) and half are chains of 5 (critical path 5 calls), so the ideal
makespan is 5 x 50 ms = 250 ms. Ours runs through the whole agent path (Office,
Workflow validation, AgentRunner activities on the engine's scheduler, the ledger) on an
inline runtime, like LangGraph without a checkpointer: no run is stored (an Office stores
every run by default); LangGraph runs the same graphs as StateGraphs. Each system runs
in a fresh subprocess so that its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import operator
import statistics
import subprocess
import sys
import time
import uuid
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any, TypedDict

from benchmarks.harness import peak_rss_mb
from benchmarks.provenance import ROOT, provenance

__all__ = ["main"]

WORKFLOWS = 100
AGENTS_PER_WORKFLOW = 5
LATENCY_SECONDS = 0.05
CRITICAL_CALLS = 5  # the chains
SYSTEMS = ("ours", "langgraph")


def shapes() -> list[dict[str, list[str]]]:
    """Each workflow as agent -> dependencies: diamonds and chains, alternating."""
    diamond = {"a": [], "b": ["a"], "c": ["a"], "d": ["a"], "e": ["b", "c", "d"]}
    chain = {"a": [], "b": ["a"], "c": ["b"], "d": ["c"], "e": ["d"]}
    return [diamond if i % 2 == 0 else chain for i in range(WORKFLOWS)]


async def _ours(repeats: int, warmup: int) -> dict[str, Any]:
    from intelligent_office import Office
    from intelligent_office.agentkit import Agent, ModelAnswer, RunStatus, Workflow
    from intelligent_office.runtime import InlineRuntime

    class SimulatedModel:
        async def complete(self, agent: Agent, user: str, tools: Any = ()) -> ModelAnswer:
            await asyncio.sleep(LATENCY_SECONDS)
            return ModelAnswer(f"{agent.name} done", "simulated", 10, 5, 0.0)

    baseline = peak_rss_mb()
    started = time.perf_counter()
    workflows = [
        Workflow(
            name=f"wf{i}",
            input="benchmark",
            agents=[Agent(name=n, dependencies=tuple(d), max_retries=0) for n, d in g.items()],
        )
        for i, g in enumerate(shapes())
    ]
    build = time.perf_counter() - started
    office = Office(model=SimulatedModel())

    async def once() -> float:
        t0 = time.perf_counter()
        runs = await asyncio.gather(
            *(office.run_workflow(w, runtime=InlineRuntime(uuid.uuid4().hex)) for w in workflows)
        )
        took = time.perf_counter() - t0
        assert all(r.status is RunStatus.COMPLETED for r in runs)
        return took

    for _ in range(warmup):
        await once()
    times = [await once() for _ in range(repeats)]
    calls = office.system_status().calls
    assert calls == (warmup + repeats) * WORKFLOWS * AGENTS_PER_WORKFLOW
    return _figures(times, baseline, build)


class _State(TypedDict):
    marks: Annotated[list[str], operator.add]


async def _langgraph(repeats: int, warmup: int) -> dict[str, Any]:
    from langgraph.graph import END, START, StateGraph

    def node(name: str) -> Any:
        async def call(state: _State) -> dict[str, list[str]]:
            await asyncio.sleep(LATENCY_SECONDS)
            return {"marks": [f"{name} done"]}

        return call

    baseline = peak_rss_mb()
    started = time.perf_counter()
    graphs = []
    for g in shapes():
        builder: Any = StateGraph(_State)
        for name in g:
            builder.add_node(name, node(name))
        for name, deps in g.items():
            if not deps:
                builder.add_edge(START, name)
            elif len(deps) == 1:
                builder.add_edge(deps[0], name)
            else:
                builder.add_edge(deps, name)  # join: waits for every dependency
        builder.add_edge("e", END)
        graphs.append(builder.compile())
    build = time.perf_counter() - started

    async def once() -> float:
        t0 = time.perf_counter()
        results = await asyncio.gather(*(g.ainvoke({"marks": []}) for g in graphs))
        took = time.perf_counter() - t0
        assert all(len(r["marks"]) == AGENTS_PER_WORKFLOW for r in results)
        return took

    for _ in range(warmup):
        await once()
    times = [await once() for _ in range(repeats)]
    return _figures(times, baseline, build)


def _figures(times: list[float], baseline: float, build: float) -> dict[str, Any]:
    ideal = CRITICAL_CALLS * LATENCY_SECONDS
    median = statistics.median(times)
    return {
        "makespan_seconds": round(median, 4),
        "best_makespan_seconds": round(min(times), 4),
        "critical_path_ideal_seconds": ideal,
        "makespan_over_ideal": round(median / ideal, 3),
        "overhead_ms_per_agent": round((median - ideal) * 1000 / (WORKFLOWS * 5), 4),
        "build_seconds": round(build, 4),
        "baseline_rss_mb": round(baseline, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_growth_mb": round(peak_rss_mb() - baseline, 1),
        "runs": [round(t, 4) for t in times],
    }


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _measure(system: str, repeats: int, warmup: int) -> dict[str, Any]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.agents_bench",
            "--one",
            system,
            f"--repeats={repeats}",
            f"--warmup={warmup}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        return {"error": lines[-1] if lines else f"exit status {done.returncode}"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    """Measure both systems, one after the other, and write the JSON report."""
    parser = argparse.ArgumentParser(description="Agent workflows: ours vs LangGraph.")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/agents.json")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--one", choices=SYSTEMS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        run = _ours if args.one == "ours" else _langgraph
        print(json.dumps(asyncio.run(run(args.repeats, args.warmup))))  # noqa: T201
        return 0
    results = {system: _measure(system, args.repeats, args.warmup) for system in SYSTEMS}
    ours, peer = results["ours"], results["langgraph"]
    ratio = None
    if "error" not in ours and "error" not in peer:
        ratio = round(ours["makespan_seconds"] / peer["makespan_seconds"], 3)
    report = {
        **provenance("agents"),
        "versions": {n: _version(n) for n in ("intelligent-office", "langgraph", "pydantic")},
        "scenario": {
            "workflows": WORKFLOWS,
            "agents": WORKFLOWS * AGENTS_PER_WORKFLOW,
            "shapes": "50 diamonds (a -> b,c,d -> e) and 50 chains of 5, all started at once",
            "simulated_model_latency_seconds": LATENCY_SECONDS,
            "critical_path_ideal_seconds": CRITICAL_CALLS * LATENCY_SECONDS,
            "method": (
                f"each system in a fresh subprocess; {args.warmup} untimed run(s), then the "
                f"median of {args.repeats} timed runs of all 100 workflows at once"
            ),
        },
        "results": results,
        "ours_over_langgraph_makespan": ratio,
        "targets": {"engine_peak_rss_mb_under": 100},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({"ours": ours, "langgraph": peer, "ratio": ratio}, indent=2))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
