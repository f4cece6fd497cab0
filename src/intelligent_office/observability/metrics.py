"""Prometheus metrics: one registry per app, never the process-wide default.

Things that happen in this process (LLM calls, tool calls, finished runs, rate-limit
waits) are counters and histograms updated where they happen. Things that are stored
state (tasks by status, the queue, pending approvals, dead letters) are read from the
store at scrape time by `StoreCollector`, so every process reports the same truth.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from intelligent_office.store import Store
from intelligent_office.store.tables import ApprovalRow, DeadLetterRow, RunRow, TaskRow

__all__ = ["BREAKER_STATES", "OfficeMetrics", "StoreCollector"]

_DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)
_CALL_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

BREAKER_STATES = {"closed": 0, "half_open": 1, "open": 2}
"""`office_circuit_breaker_state` values."""


class OfficeMetrics:
    """Every in-process metric of the Office, in its own registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self._store_collector: StoreCollector | None = None
        r = self.registry
        self.runs_finished = Counter(
            "office_runs_finished",
            "Runs finished by this process, by workflow and final status.",
            ["workflow", "status"],
            registry=r,
        )
        self.tasks_finished = Counter(
            "office_tasks_finished",
            "Tasks whose run ended in this process, by the task's status.",
            ["status"],
            registry=r,
        )
        self.task_duration = Histogram(
            "office_task_duration_seconds",
            "Wall time of a task's run in this process, by the task's status.",
            ["status"],
            buckets=_DURATION_BUCKETS,
            registry=r,
        )
        self.activities = Counter(
            "office_activities",
            "Activity calls (not replays), by activity and outcome.",
            ["activity", "outcome"],
            registry=r,
        )
        self.llm_calls = Counter(
            "office_llm_calls",
            "LLM calls, by model, tier and outcome (ok, error, cache_hit).",
            ["model", "tier", "outcome"],
            registry=r,
        )
        self.llm_tokens = Counter(
            "office_llm_tokens",
            "LLM tokens, by model, tier and direction (input, output).",
            ["model", "tier", "direction"],
            registry=r,
        )
        self.llm_cost = Counter(
            "office_llm_cost_usd",
            "LLM spend in US dollars, by model and tier.",
            ["model", "tier"],
            registry=r,
        )
        self.llm_latency = Histogram(
            "office_llm_latency_seconds",
            "LLM call latency (without rate-limit waits), by model and tier.",
            ["model", "tier"],
            buckets=_CALL_BUCKETS,
            registry=r,
        )
        self.rate_limit_wait = Counter(
            "office_rate_limit_wait_seconds",
            "Time spent waiting for a provider's rate limit, by provider.",
            ["provider"],
            registry=r,
        )
        self.circuit_breaker = Gauge(
            "office_circuit_breaker_state",
            "A provider's circuit breaker: 0 closed, 1 half open, 2 open.",
            ["provider"],
            registry=r,
        )
        self.tool_calls = Counter(
            "office_tool_calls",
            "Tool calls, by tool and outcome (ok, error).",
            ["tool", "outcome"],
            registry=r,
        )
        self.tool_latency = Histogram(
            "office_tool_latency_seconds",
            "Tool call latency, by tool and outcome.",
            ["tool", "outcome"],
            buckets=_CALL_BUCKETS,
            registry=r,
        )

    def watch_store(self, store: Store) -> StoreCollector:
        """Report the store's state (tasks, queue, approvals, dead letters) at each scrape.

        Watching another store replaces the first: one set of store gauges per registry.
        """
        if self._store_collector is not None:
            if self._store_collector.store is store:
                return self._store_collector
            self.registry.unregister(self._store_collector)
        collector = self._store_collector = StoreCollector(store)
        self.registry.register(collector)
        return collector

    def names(self) -> set[str]:
        """Every sample name this registry exports (e.g. `office_tool_calls_total`), even for
        metrics that have no samples yet (no label set seen)."""
        suffixes = {
            "counter": ("_total",),
            "histogram": ("_bucket", "_count", "_sum"),
            "summary": ("_count", "_sum"),
        }
        names: set[str] = set()
        for family in self.registry.collect():
            names.update(family.name + suffix for suffix in suffixes.get(family.type, ("",)))
        return names


class StoreCollector(Collector):
    """Gauges computed from the store when Prometheus scrapes."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def describe(self) -> list[GaugeMetricFamily]:
        # Describing without querying: registering must not touch the database.
        return [
            GaugeMetricFamily("office_tasks", "Stored tasks, by status.", labels=["status"]),
            GaugeMetricFamily("office_queue_depth", "Runs queued and not yet started."),
            GaugeMetricFamily("office_approvals_pending", "Approvals waiting for a human."),
            GaugeMetricFamily("office_dead_letters", "Dead letters, by category and state."),
        ]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self.store.engine.connect() as db:
            by_status = db.execute(
                select(TaskRow.status, func.count()).group_by(TaskRow.status)
            ).all()
            queued = db.execute(
                select(func.count()).select_from(RunRow).where(RunRow.status == "queued")
            ).scalar_one()
            pending = db.execute(
                select(func.count()).select_from(ApprovalRow).where(ApprovalRow.status == "pending")
            ).scalar_one()
            letters = db.execute(
                select(
                    DeadLetterRow.category,
                    DeadLetterRow.retried_at.is_(None),
                    func.count(),
                ).group_by(DeadLetterRow.category, DeadLetterRow.retried_at.is_(None))
            ).all()
        tasks = GaugeMetricFamily("office_tasks", "Stored tasks, by status.", labels=["status"])
        for status, count in by_status:
            tasks.add_metric([str(status)], float(count))
        yield tasks
        yield GaugeMetricFamily(
            "office_queue_depth", "Runs queued and not yet started.", value=float(queued)
        )
        yield GaugeMetricFamily(
            "office_approvals_pending", "Approvals waiting for a human.", value=float(pending)
        )
        dead = GaugeMetricFamily(
            "office_dead_letters",
            "Dead letters, by category and state (open: not yet retried).",
            labels=["category", "state"],
        )
        totals: dict[tuple[str, str], float] = {}
        for category, open_, count in letters:
            state = "open" if open_ else "retried"
            totals[(str(category), state)] = totals.get((str(category), state), 0.0) + float(count)
        for (category, state), total in sorted(totals.items()):
            dead.add_metric([category, state], total)
        yield dead
