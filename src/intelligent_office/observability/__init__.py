"""Observability: OpenTelemetry traces, Prometheus metrics, structured logs, stats.

Built at the edge (`Telemetry.from_settings`) and passed down to the runtime, the LLM
router and the step runner; nothing here is a module-level global.

The names load on first use: the settings import only this package's settings module,
and a command loads only what it calls.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_LAZY = {
    "LLMCallFacts": "intelligent_office.observability.telemetry",
    "ObservabilitySettings": "intelligent_office.observability.config",
    "OfficeMetrics": "intelligent_office.observability.metrics",
    "OfficeStats": "intelligent_office.observability.stats",
    "RunTrace": "intelligent_office.observability.tracing",
    "StoreCollector": "intelligent_office.observability.metrics",
    "Telemetry": "intelligent_office.observability.telemetry",
    "configure_logging": "intelligent_office.observability.logging",
    "format_trace_id": "intelligent_office.observability.tracing",
    "office_stats": "intelligent_office.observability.stats",
    "redact_value": "intelligent_office.observability.logging",
    "trace_id_for": "intelligent_office.observability.tracing",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
