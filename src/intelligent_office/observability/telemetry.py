"""`Telemetry`: the tracer and the metrics of one app, built at the edge and passed down.

The services that do observable work (the runtime, the LLM router, the step runner)
take a `Telemetry` and call the few methods here, so spans and metrics are named in
one place.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.trace import NoOpTracer, Span, Status, StatusCode, Tracer

from intelligent_office.observability.config import ObservabilitySettings
from intelligent_office.observability.tracing import TRACER_NAME, RunTrace, build_tracer_provider

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

    from intelligent_office.observability.metrics import OfficeMetrics

__all__ = ["LLMCallFacts", "Telemetry", "ToolCallFacts"]


@dataclass(frozen=True)
class LLMCallFacts:
    """One model call (answered, failed or cached) as the router saw it."""

    tier: str
    agent: str
    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: float
    duration_seconds: float
    waited_seconds: float
    cache_hit: bool
    error: str | None = None
    breaker_state: str | None = None


@dataclass
class ToolCallFacts:
    """Filled in by `Telemetry.tool_call` while a tool runs."""

    success: bool = True
    error_type: str | None = None


@dataclass
class Telemetry:
    """Where spans and metrics go; `Telemetry()` traces nothing and counts nothing.

    A library's worker or Office given no Telemetry builds none of prometheus_client.
    `counting=True` (the default of `from_settings` and `with_provider`, which `office
    serve` uses) counts in the Telemetry's own registry, built at the first count.
    """

    tracer: Tracer = field(default_factory=NoOpTracer)
    provider: TracerProvider | None = None
    counting: bool = False
    _metrics: OfficeMetrics | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_settings(cls, settings: ObservabilitySettings, *, counting: bool = True) -> Telemetry:
        """Exporters as configured (none by default) and a fresh metrics registry."""
        provider = build_tracer_provider(settings)
        if provider is None:
            return cls(counting=counting)
        return cls(tracer=provider.get_tracer(TRACER_NAME), provider=provider, counting=counting)

    @property
    def metrics(self) -> OfficeMetrics:
        """This app's metrics, built at first use (loading prometheus_client then)."""
        if self._metrics is None:
            from intelligent_office.observability.metrics import OfficeMetrics

            self._metrics = OfficeMetrics()
        return self._metrics

    @classmethod
    def with_provider(cls, provider: TracerProvider, *, counting: bool = True) -> Telemetry:
        """Spans to a provider the caller built (tests use an in-memory exporter)."""
        return cls(tracer=provider.get_tracer(TRACER_NAME), provider=provider, counting=counting)

    def shutdown(self) -> None:
        """Flush and close the exporters."""
        if self.provider is not None:
            self.provider.shutdown()

    def run_trace(self, *, task_id: str, run_id: str, workflow: str) -> RunTrace:
        """The spans of one run, in its task's trace."""
        metrics = self.metrics if self.counting else None
        return RunTrace(
            self.tracer, task_id=task_id, run_id=run_id, workflow=workflow, metrics=metrics
        )

    def llm_call(self, facts: LLMCallFacts) -> None:
        """Count a model call and add its span (timed back from now) to the current trace."""
        model = f"{facts.provider}:{facts.model}"
        if self.counting:
            self._count_llm_call(facts, model)
        end = time.time_ns()
        span = self.tracer.start_span(
            "llm.call",
            start_time=end - int(facts.duration_seconds * 1e9),
            attributes={
                "llm.tier": facts.tier,
                "agent.id": facts.agent,
                "agent.model": model,
                "llm.provider": facts.provider,
                "llm.input_tokens": facts.input_tokens,
                "llm.output_tokens": facts.output_tokens,
                "llm.cost_usd": facts.cost_usd,
                "llm.cache_hit": facts.cache_hit,
                "llm.rate_limit_wait_seconds": facts.waited_seconds,
            },
        )
        if facts.error:
            span.set_status(Status(StatusCode.ERROR, facts.error[:200]))
            span.set_attribute("error.message", facts.error[:500])
        span.end(end_time=end)

    def _count_llm_call(self, facts: LLMCallFacts, model: str) -> None:
        from intelligent_office.observability.metrics import BREAKER_STATES

        outcome = "cache_hit" if facts.cache_hit else ("error" if facts.error else "ok")
        m = self.metrics
        m.llm_calls.labels(model, facts.tier, outcome).inc()
        m.llm_tokens.labels(model, facts.tier, "input").inc(facts.input_tokens)
        m.llm_tokens.labels(model, facts.tier, "output").inc(facts.output_tokens)
        m.llm_cost.labels(model, facts.tier).inc(facts.cost_usd)
        if not facts.cache_hit:
            m.llm_latency.labels(model, facts.tier).observe(facts.duration_seconds)
        if facts.waited_seconds:
            m.rate_limit_wait.labels(facts.provider).inc(facts.waited_seconds)
        if facts.breaker_state is not None:
            m.circuit_breaker.labels(facts.provider).set(BREAKER_STATES.get(facts.breaker_state, 0))

    @contextmanager
    def tool_call(self, tool: str, *, step_id: str | None = None) -> Iterator[ToolCallFacts]:
        """A span and metrics around one tool call; an exception marks it failed."""
        facts = ToolCallFacts()
        started = time.perf_counter()
        attributes: dict[str, str] = {"tool.name": tool}
        if step_id:
            attributes["step.id"] = step_id
        with self.tracer.start_as_current_span(
            "tool.call", attributes=attributes, record_exception=False
        ) as span:
            try:
                yield facts
            except BaseException as error:
                facts.success = False
                facts.error_type = type(error).__name__
                raise
            finally:
                self._tool_done(span, tool, facts, time.perf_counter() - started)

    def _tool_done(self, span: Span, tool: str, facts: ToolCallFacts, seconds: float) -> None:
        if self.counting:
            outcome = "ok" if facts.success else "error"
            self.metrics.tool_calls.labels(tool, outcome).inc()
            self.metrics.tool_latency.labels(tool, outcome).observe(seconds)
        span.set_attribute("tool.success", facts.success)
        span.set_attribute("tool.duration_seconds", seconds)
        if facts.error_type is not None:
            span.set_attribute("error.type", facts.error_type)
            span.set_status(Status(StatusCode.ERROR, facts.error_type))

    def current_trace_id(self) -> str | None:
        """The current span's trace id in hex, if a span is recording."""
        context = trace.get_current_span().get_span_context()
        return trace.format_trace_id(context.trace_id) if context.is_valid else None
