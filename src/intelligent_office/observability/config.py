"""The `observability` settings group: where traces go and how logs look."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["ObservabilitySettings"]


class ObservabilitySettings(BaseModel):
    """Traces (OpenTelemetry), logs (structlog); metrics are always on at `/metrics`."""

    otlp_endpoint: str | None = Field(
        default=None,
        description="OTLP collector (e.g. http://localhost:4317 for gRPC, "
        "http://localhost:4318/v1/traces for HTTP); None: no OTLP export.",
    )
    otlp_protocol: Literal["grpc", "http"] = Field(
        default="grpc", description="How spans reach `otlp_endpoint`."
    )
    console: bool = Field(default=False, description="Print every finished span (debugging).")
    service_name: str = Field(
        default="intelligent-office", description="`service.name` on every span."
    )
    log_format: Literal["json", "console"] = Field(
        default="console", description="json: one JSON object per line (for log shippers)."
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(default="info")

    @property
    def tracing(self) -> bool:
        """Whether any span exporter is configured."""
        return self.otlp_endpoint is not None or self.console
