"""Observability: OpenTelemetry traces, Prometheus metrics, structured logs, stats.

Built at the edge (`Telemetry.from_settings`) and passed down to the runtime, the LLM
router and the step runner; nothing here is a module-level global.
"""

from __future__ import annotations

from intelligent_office.observability.config import ObservabilitySettings
from intelligent_office.observability.logging import configure_logging, redact_value
from intelligent_office.observability.metrics import OfficeMetrics, StoreCollector
from intelligent_office.observability.stats import OfficeStats, office_stats
from intelligent_office.observability.telemetry import LLMCallFacts, Telemetry
from intelligent_office.observability.tracing import RunTrace, format_trace_id, trace_id_for

__all__ = [
    "LLMCallFacts",
    "ObservabilitySettings",
    "OfficeMetrics",
    "OfficeStats",
    "RunTrace",
    "StoreCollector",
    "Telemetry",
    "configure_logging",
    "format_trace_id",
    "office_stats",
    "redact_value",
    "trace_id_for",
]
