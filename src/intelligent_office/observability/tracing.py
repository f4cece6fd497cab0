"""OpenTelemetry tracing: one trace per task, built at the edge and passed down.

A task's trace id is derived from its id, so a durable run resumed in another process
(or a later run of the same task) adds its spans to the same trace. Each run is a span
under a synthetic remote root that carries that trace id; subtasks, activities (the
agents), LLM calls, tool calls and approval waits are spans below it.

Exporters: OTLP over gRPC or HTTP when `otlp_endpoint` is set, the console when
`console` is set, none by default (the tracer is then a no-op and costs nothing).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from contextvars import Token
from types import TracebackType
from typing import TYPE_CHECKING, Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import (
    NonRecordingSpan,
    Span,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
    Tracer,
)

from intelligent_office.observability.config import ObservabilitySettings

if TYPE_CHECKING:  # the SDK loads only when something exports (see build_tracer_provider)
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

    from intelligent_office.observability.metrics import OfficeMetrics

__all__ = [
    "AGENT_OF_ACTIVITY",
    "RunTrace",
    "build_tracer_provider",
    "format_trace_id",
    "trace_id_for",
]

TRACER_NAME = "intelligent_office"

_MASK_128 = (1 << 128) - 1
_MASK_64 = (1 << 64) - 1

AGENT_OF_ACTIVITY = {
    "office.decompose": "decomposer",
    "office.plan": "planner",
    "office.validate": "validator",
    "office.review": "reviewer",
    "office.synthesize": "synthesizer",
    "office.run_step": "executor",
}
"""The agent an Office activity is, for `agent.id` on its span."""


def trace_id_for(task_id: str) -> int:
    """The task's 128-bit trace id: its hex id itself, else a hash of it; never zero."""
    digits = task_id.replace("-", "")
    try:
        value = int(digits, 16) & _MASK_128
    except ValueError:
        value = 0
    if value == 0:
        value = int.from_bytes(hashlib.sha256(task_id.encode()).digest()[:16], "big")
    return value or 1


def format_trace_id(trace_id: int) -> str:
    """32 lower-case hex digits, as Jaeger and the OTLP spec show it."""
    return trace.format_trace_id(trace_id)


def _root_span_id(task_id: str) -> int:
    return int.from_bytes(hashlib.sha256(f"root:{task_id}".encode()).digest()[:8], "big") or 1


def task_context(task_id: str) -> Context:
    """A context whose (remote, sampled) parent carries the task's trace id."""
    parent = SpanContext(
        trace_id=trace_id_for(task_id),
        span_id=_root_span_id(task_id) & _MASK_64,
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
    )
    return trace.set_span_in_context(NonRecordingSpan(parent))


def build_tracer_provider(
    settings: ObservabilitySettings, *, exporters: list[SpanExporter] | None = None
) -> TracerProvider | None:
    """A provider exporting where the settings say, or None when nothing would export.

    `exporters` adds more (tests pass an in-memory one); each gets a batch processor,
    except in-memory ones which should be given as processors by the caller.
    """
    if not exporters and settings.otlp_endpoint is None and not settings.console:
        return None  # nothing exports: the no-op tracer, and no SDK import
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    chosen: list[SpanExporter] = list(exporters or [])
    if settings.otlp_endpoint is not None:
        chosen.append(_otlp_exporter(settings))
    if settings.console:
        chosen.append(ConsoleSpanExporter())
    provider = TracerProvider(resource=Resource.create({"service.name": settings.service_name}))
    for exporter in chosen:
        processor: SpanProcessor = BatchSpanProcessor(exporter)
        provider.add_span_processor(processor)
    return provider


def _otlp_exporter(settings: ObservabilitySettings) -> SpanExporter:
    if settings.otlp_protocol == "http":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
            OTLPSpanExporter as HTTPExporter,
        )

        return HTTPExporter(endpoint=settings.otlp_endpoint)
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (
        OTLPSpanExporter as GRPCExporter,
    )

    return GRPCExporter(endpoint=settings.otlp_endpoint)


class RunTrace:
    """The spans of one run: the run itself, its subtasks and its activities.

    The runtime calls it; workflow code never does (it must stay free of effects).
    """

    def __init__(
        self,
        tracer: Tracer,
        *,
        task_id: str,
        run_id: str,
        workflow: str,
        metrics: OfficeMetrics | None = None,
    ) -> None:
        self._tracer = tracer
        self._recording = not isinstance(tracer, trace.NoOpTracer)
        self._metrics = metrics
        self.task_id = task_id
        self.trace_id = trace_id_for(task_id)
        self.run_span: Span = tracer.start_span(
            "office.run",
            context=task_context(task_id),
            kind=SpanKind.INTERNAL,
            attributes={
                "task.id": task_id,
                "run.id": run_id,
                "workflow.id": run_id,
                "workflow.name": workflow,
            },
        )
        self._subtasks: dict[str, Span] = {}
        self._activity_counts: dict[tuple[str, str], Any] = {}
        self._run_parent_base: Context | None = None
        self._run_parent: Context = otel_context.get_current()

    def _parent_of(self, key: str) -> Context:
        if key.startswith("subtask/"):
            subtask_id = key.split("/", 2)[1]
            if subtask_id in self._subtasks:
                return trace.set_span_in_context(self._subtasks[subtask_id])
        # The run's span in the current context, built once per context: every activity
        # of a graph's nodes runs in the same one (a run's fan-out asked for it 500 times).
        current = otel_context.get_current()
        if current is not self._run_parent_base:
            self._run_parent = trace.set_span_in_context(self.run_span, current)
            self._run_parent_base = current
        return self._run_parent

    def activity(self, key: str, name: str) -> AbstractContextManager[Span]:
        """A span around one activity call, current while it runs (LLM and tool spans nest)."""
        if not self._recording:
            # What the no-op tracer would do (its parent becomes current), without building
            # a span per activity: the local runtime's hot path goes through here.
            return _ParentScope(self, self._parent_of(key), name)
        return self._recorded_activity(key, name)

    def count_activity(self, name: str, outcome: str) -> None:
        """Count an activity's outcome ("ok" or "error"), when metrics are kept."""
        if self._metrics is None:
            return
        counter = self._activity_counts.get((name, outcome))
        if counter is None:  # the labelled child, looked up once per run (a lock inside)
            counter = self._activity_counts[name, outcome] = self._metrics.activities.labels(
                name, outcome
            )
        counter.inc()

    @contextmanager
    def _recorded_activity(self, key: str, name: str) -> Iterator[Span]:
        attributes: dict[str, str] = {"activity.key": key, "activity.name": name}
        agent = AGENT_OF_ACTIVITY.get(name)
        if agent is not None:
            attributes["agent.id"] = agent
        parts = key.split("/")
        if len(parts) > 1 and parts[0] == "subtask":
            attributes["subtask.id"] = parts[1]
        span_name = f"agent.{agent}" if agent else name
        with self._tracer.start_as_current_span(
            span_name,
            context=self._parent_of(key),
            attributes=attributes,
            record_exception=True,
            set_status_on_exception=True,
        ) as span:
            outcome = "error"
            try:
                yield span
                outcome = "ok"
            finally:
                self.count_activity(name, outcome)

    @contextmanager
    def signal(self, name: str) -> Iterator[Span]:
        """A span around a durable wait for a signal (an approval's decision)."""
        span_name = "approval.wait" if name.startswith("approval") else "signal.wait"
        with self._tracer.start_as_current_span(
            span_name,
            context=trace.set_span_in_context(self.run_span),
            attributes={"signal.name": name},
        ) as span:
            yield span

    def on_event(self, event_type: str, payload: Mapping[str, object]) -> None:
        """Open a subtask's span when it starts and close it when it settles."""
        subtask_id = payload.get("subtask_id")
        if not isinstance(subtask_id, str) or not event_type.startswith("subtask."):
            return
        if event_type == "subtask.started":
            if subtask_id not in self._subtasks:
                self._subtasks[subtask_id] = self._tracer.start_span(
                    "office.subtask",
                    context=trace.set_span_in_context(self.run_span),
                    attributes={"subtask.id": subtask_id, "task.id": self.task_id},
                )
            return
        span = self._subtasks.pop(subtask_id, None)
        if span is not None:
            status = event_type.removeprefix("subtask.")
            span.set_attribute("subtask.status", status)
            if status not in {"completed", "approved", "skipped"}:
                span.set_status(Status(StatusCode.ERROR, status))
            span.end()

    def finish(self, status: str, error: str | None = None) -> None:
        """End every open span; the run ended as `status`."""
        for span in self._subtasks.values():
            span.end()
        self._subtasks.clear()
        self.run_span.set_attribute("run.status", status)
        if error is not None:
            self.run_span.set_status(Status(StatusCode.ERROR, error[:200]))
        self.run_span.end()


class _ParentScope:
    """Makes a parent span current while an activity runs, then counts its outcome.

    A plain class rather than a generator: entered once per activity on the hot path.
    """

    __slots__ = ("_context", "_name", "_token", "_trace")

    def __init__(self, run_trace: RunTrace, context: Context, name: str) -> None:
        self._trace = run_trace
        self._context = context
        self._name = name
        self._token: Token[Context] | None = None

    def __enter__(self) -> Span:
        self._token = otel_context.attach(self._context)
        return trace.get_current_span(self._context)  # the one just made current

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._token is not None:
            otel_context.detach(self._token)
        self._trace.count_activity(self._name, "error" if exc_type is not None else "ok")
