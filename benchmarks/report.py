"""Turn raw measurements into the report: figures, ratios to the peer, targets, a table.

Every figure for our engine is paired with the peer measured in the same run:
`ratio_vs_langgraph = ours / peer`, and each pairing says which direction is better.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from rich import box
from rich.table import Table

from benchmarks.harness import SHAPES

__all__ = ["LABELS", "PEERS", "TARGETS", "build_report", "summary_table"]

Better = Literal["lower", "higher"]

LABELS = {
    "ours_inline": "ours, inline runtime",
    "ours_local": "ours, local runtime on SQLite (synchronous=NORMAL, the default)",
    "ours_local_full": "ours, local runtime on SQLite (synchronous=FULL)",
    "langgraph": "LangGraph, no checkpointer",
    "langgraph_sqlite": "LangGraph, AsyncSqliteSaver, durability=sync",
    "langgraph_sqlite_async": "LangGraph, AsyncSqliteSaver, durability=async (its default)",
    "asyncio": "plain asyncio (floor)",
    "durable_floor": (
        "plain asyncio + raw sqlite3: a journal row and an event row per node in our schema, "
        "committed per loop turn before the node returns (durable floor)"
    ),
}

# Which peer each of our systems is compared with: in memory with in memory, durable
# after every step with durable after every step.
PEERS = {
    "ours_inline": "langgraph",
    "ours_local": "langgraph_sqlite",
    "ours_local_full": "langgraph_sqlite",
}

DESCRIPTIONS = {
    "fanout500_sleep50ms": (
        "Fan-out/fan-in: one source, 500 parallel nodes each an async activity sleeping "
        "50 ms, one sink. Efficiency = critical path (50 ms) / makespan."
    ),
    "fanout500": "Per-node overhead: source -> 500 parallel no-op nodes -> sink (502 nodes).",
    "chain200": "Per-node overhead: a chain of 200 no-op nodes (one checkpoint per step).",
}

# metric -> (unit, which direction is better)
METRICS: dict[str, tuple[str, Better]] = {
    "makespan_ms": ("ms", "lower"),
    "makespan_best_ms": ("ms", "lower"),
    "efficiency": ("", "higher"),
    "us_per_node": ("us", "lower"),
    "us_per_node_best": ("us", "lower"),
    "peak_rss_mb": ("MiB", "lower"),
    "rss_growth_mb": ("MiB", "lower"),
    "baseline_rss_mb": ("MiB", "lower"),
    "build_ms": ("ms", "lower"),
}

# The metrics each scenario reports, in table order.
SCENARIO_METRICS = {
    "fanout500_sleep50ms": ("makespan_ms", "efficiency", "peak_rss_mb", "rss_growth_mb"),
    "fanout500": ("us_per_node", "peak_rss_mb", "rss_growth_mb"),
    "chain200": ("us_per_node", "peak_rss_mb", "rss_growth_mb"),
}


@dataclass(frozen=True, slots=True)
class Target:
    """A goal from the issue, checked against one figure."""

    goal: str
    scenario: str
    system: str
    metric: str
    limit: float
    op: Literal["<=", ">=", "<"]

    def met(self, value: float) -> bool:
        """Whether `value` meets the goal."""
        if self.op == "<=":
            return value <= self.limit
        if self.op == ">=":
            return value >= self.limit
        return value < self.limit


def _each(
    goal: str,
    scenarios: tuple[str, ...],
    systems: tuple[str, ...],
    metric: str,
    op: Literal["<=", ">=", "<"],
    limit: float,
) -> tuple[Target, ...]:
    return tuple(
        Target(goal, scenario, system, metric, limit, op)
        for scenario in scenarios
        for system in systems
    )


OVERHEAD_SHAPES = ("fanout500", "chain200")

# The MB is read as MiB (ru_maxrss counts KiB), the lenient reading.
TARGETS = (
    *_each("inline <= 50 us per node", OVERHEAD_SHAPES, ("ours_inline",), "us_per_node", "<=", 50),
    *_each(
        "local on SQLite <= 0.5 ms per node, durable after every node",
        OVERHEAD_SHAPES,
        ("ours_local",),
        "us_per_node",
        "<=",
        500,
    ),
    *_each(
        "efficiency >= 0.9 at 500 nodes",
        ("fanout500_sleep50ms",),
        ("ours_inline", "ours_local"),
        "efficiency",
        ">=",
        0.9,
    ),
    *_each(
        "under 60 MB RSS for 500 nodes",
        ("fanout500_sleep50ms",),
        ("ours_inline", "ours_local"),
        "peak_rss_mb",
        "<",
        60,
    ),
    # Issue 17 (the durable path): tighter per-node cost, and a local-runtime efficiency goal.
    *_each(
        "local on SQLite <= 300 us per node on the durable chain",
        ("chain200",),
        ("ours_local",),
        "us_per_node",
        "<=",
        300,
    ),
    *_each(
        "local efficiency >= 0.8 at 500 nodes",
        ("fanout500_sleep50ms",),
        ("ours_local",),
        "efficiency",
        ">=",
        0.8,
    ),
)


def figures(raw: dict[str, Any]) -> dict[str, float]:
    """The reported figures of one measurement (medians unless named otherwise)."""
    shape = SHAPES[raw["shape"]]
    median, best, nodes = raw["median_seconds"], raw["best_seconds"], raw["nodes"]
    result = {
        "us_per_node": median / nodes * 1e6,
        "us_per_node_best": best / nodes * 1e6,
        "peak_rss_mb": raw["peak_rss_mb"],
        "rss_growth_mb": raw["rss_growth_mb"],
        "baseline_rss_mb": raw["baseline_rss_mb"],
        "build_ms": raw["build_seconds"] * 1e3,
    }
    if shape.latency_seconds:
        result["makespan_ms"] = median * 1e3
        result["makespan_best_ms"] = best * 1e3
        result["efficiency"] = shape.critical_path_seconds / median
    return {name: round(value, 4) for name, value in result.items()}


def _comparison(ours: dict[str, Any], peer: dict[str, Any]) -> dict[str, Any]:
    compared = {}
    for metric in (m for m in METRICS if m in ours and m in peer):
        better = METRICS[metric][1]
        ratio = ours[metric] / peer[metric] if peer[metric] else None
        compared[metric] = {
            "ours": ours[metric],
            "peer": peer[metric],
            "ratio_vs_langgraph": None if ratio is None else round(ratio, 4),
            "better": better,
            "ours_better": ours[metric] < peer[metric]
            if better == "lower"
            else ours[metric] > peer[metric],
        }
    return compared


def _scenario(name: str, measured: dict[str, dict[str, Any]]) -> dict[str, Any]:
    shape = SHAPES[name]
    results: dict[str, Any] = {}
    for system, raw in measured.items():
        if "error" in raw:
            results[system] = {"label": LABELS[system], "error": raw["error"]}
            continue
        results[system] = {
            "label": LABELS[system],
            "nodes": raw["nodes"],
            **figures(raw),
            "runs_seconds": [round(s, 6) for s in raw["wall_seconds"]],
            "details": raw["details"],
        }
        if raw["inner_seconds"]:
            results[system]["inner_seconds"] = [round(s, 6) for s in raw["inner_seconds"]]
    for system, peer in PEERS.items():
        ours, theirs = results.get(system), results.get(peer)
        if ours is None or theirs is None or "error" in ours or "error" in theirs:
            continue
        ours["vs_langgraph"] = {
            "peer": peer,
            "peer_label": LABELS[peer],
            "metrics": _comparison(ours, theirs),
        }
    floor = results.get("durable_floor")
    for system in ("ours_local", "ours_local_full"):
        ours = results.get(system)
        if ours is None or floor is None or "error" in ours or "error" in floor:
            continue
        # How far the durable runtime is from the least that durable writes cost here.
        ours["vs_durable_floor"] = {
            metric: {"ours": ours[metric], "floor": floor[metric]}
            for metric in SCENARIO_METRICS[name]
            if metric in ours and metric in floor
        }
    return {
        "description": DESCRIPTIONS[name],
        "shape": {
            "kind": shape.kind,
            "size": shape.size,
            "graph_nodes": shape.graph_nodes,
            "latency_seconds": shape.latency_seconds,
        },
        "critical_path_seconds": shape.critical_path_seconds,
        "results": results,
    }


def _targets(scenarios: dict[str, Any]) -> list[dict[str, Any]]:
    checked = []
    for target in TARGETS:
        result = scenarios.get(target.scenario, {}).get("results", {}).get(target.system, {})
        value = result.get(target.metric)
        checked.append(
            {
                "goal": target.goal,
                "scenario": target.scenario,
                "system": target.system,
                "metric": target.metric,
                "op": target.op,
                "limit": target.limit,
                "unit": METRICS[target.metric][0],
                "value": value,
                "met": None if value is None else target.met(value),
            }
        )
    return checked


def build_report(
    measured: dict[str, dict[str, dict[str, Any]]], header: dict[str, Any]
) -> dict[str, Any]:
    """The JSON document: `header` (machine, versions, method), scenarios and targets.

    Args:
        measured: raw harness output by scenario, then by system.
        header: facts about the run, placed first.
    """
    scenarios = {name: _scenario(name, systems) for name, systems in measured.items()}
    return {
        **header,
        "ratios": (
            "ratio_vs_langgraph = ours / peer, measured in the same run. Each comparison says "
            "which direction is better: for times, us per node and MiB lower is better (a "
            "ratio below 1 favours ours); for efficiency higher is better (above 1 favours ours)."
        ),
        "scenarios": scenarios,
        "targets": _targets(scenarios),
    }


SHORT_SCENARIOS = {
    "fanout500_sleep50ms": "fan-out 500 x 50 ms",
    "fanout500": "fan-out 500, no-op",
    "chain200": "chain 200, no-op",
}
SHORT_SYSTEMS = {"ours_inline": "inline", "ours_local": "local", "ours_local_full": "local FULL"}
SHORT_METRICS = {
    "makespan_ms": "makespan ms",
    "efficiency": "efficiency",
    "us_per_node": "us / node",
    "peak_rss_mb": "peak RSS MiB",
    "rss_growth_mb": "RSS growth MiB",
}


def _format(metric: str, value: float | None) -> str:
    if value is None:
        return "-"
    if metric == "efficiency":
        return f"{value:.3f}"
    return f"{value:,.1f}"


def _target_cell(report: dict[str, Any], scenario: str, system: str, metric: str) -> str:
    for checked in report["targets"]:
        if (checked["scenario"], checked["system"], checked["metric"]) == (
            scenario,
            system,
            metric,
        ):
            verdict = {True: "[green]met[/]", False: "[red]MISSED[/]", None: "?"}[checked["met"]]
            return f"{checked['op']} {checked['limit']:g} {verdict}"
    return ""


def _ratio_cell(ours: dict[str, Any], metric: str) -> str:
    compared = ours.get("vs_langgraph", {}).get("metrics", {}).get(metric)
    if compared is None or compared["ratio_vs_langgraph"] is None:
        return "-"
    colour = "green" if compared["ours_better"] else "red"
    return f"[{colour}]{compared['ratio_vs_langgraph']:.2f}[/]"


def summary_table(report: dict[str, Any]) -> Table:
    """One row per figure of ours: its value, the peer's, the ratio, the floor, the target."""
    version = report.get("versions", {}).get("langgraph")
    table = Table(
        title=f"Engine benchmark: ours vs LangGraph {version} (medians)",
        caption=(
            "peer of inline: LangGraph without checkpointer; peer of local and local FULL: "
            "LangGraph with AsyncSqliteSaver, durability=sync.\n"
            "local = our SQLite store's default synchronous=NORMAL (WAL); local FULL = "
            "synchronous=FULL, as LangGraph's saver runs. ours / peer: green favours ours."
        ),
        caption_justify="left",
        box=box.SIMPLE_HEAD,
    )
    for column in ("scenario", "ours", "metric"):
        table.add_column(column)
    for column in ("value", "peer", "ours / peer", "asyncio", "durable floor"):
        table.add_column(column, justify="right")
    table.add_column("target")
    for name, scenario in report["scenarios"].items():
        results = scenario["results"]
        floor = results.get("asyncio", {})
        durable_floor = results.get("durable_floor", {})
        first = True
        for system, peer in PEERS.items():
            ours = results.get(system)
            if ours is None:
                continue
            for metric in SCENARIO_METRICS[name]:
                table.add_row(
                    SHORT_SCENARIOS[name] if first else "",
                    SHORT_SYSTEMS[system],
                    SHORT_METRICS[metric],
                    _format(metric, ours.get(metric)),
                    _format(metric, results.get(peer, {}).get(metric)),
                    _ratio_cell(ours, metric),
                    _format(metric, floor.get(metric)),
                    # The durable floor bounds the durable runtimes only.
                    _format(metric, durable_floor.get(metric)) if system != "ours_inline" else "",
                    _target_cell(report, name, system, metric),
                )
                first = False
        table.add_section()
    return table
