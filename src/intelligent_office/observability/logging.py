"""Structured logs: structlog, JSON or console, with task, run and trace ids; secrets redacted.

`configure_logging` is called once at the edge (the CLI, `office serve`). Standard
library loggers go through the same processors, so every line has the same shape.
The worker binds `task_id`, `run_id` and `trace_id` for the length of a run; the
current span's ids are added when one is recording.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from typing import Any, TextIO

import structlog
from opentelemetry import trace
from structlog.typing import EventDict, Processor, WrappedLogger

from intelligent_office.observability.config import ObservabilitySettings

__all__ = ["REDACTED", "configure_logging", "redact_event", "redact_value"]

REDACTED = "[redacted]"

_SECRET_KEY = re.compile(
    r"(pass(word|wd)?|secret|token|api[_-]?key|authorization|cookie|credential|private[_-]?key)",
    re.IGNORECASE,
)
# Values that are secrets whatever their key: bearer tokens, provider keys, URL passwords.
_SECRET_VALUE = re.compile(
    r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"
    r"|\b(sk|pk|rk|ghp|gho|xox[abp]|AKIA)[-_A-Za-z0-9]{12,}"
    r"|(?<=://)[^/\s:@]+:[^/\s@]+(?=@)"
)


def redact_value(text: str) -> str:
    """`text` with anything shaped like a secret replaced."""

    def hide(match: re.Match[str]) -> str:
        prefix = match.group(1) or ""
        return f"{prefix}{REDACTED}"

    return _SECRET_VALUE.sub(hide, text)


def _redact(value: Any, depth: int = 0) -> Any:
    if depth > 6:
        return value
    if isinstance(value, str):
        return redact_value(value)
    if isinstance(value, Mapping):
        return {
            key: REDACTED if _SECRET_KEY.search(str(key)) else _redact(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact(item, depth + 1) for item in value]
    return value


def redact_event(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """A structlog processor: secret-named keys and secret-shaped values are hidden."""
    for key in list(event):
        if _SECRET_KEY.search(key):
            event[key] = REDACTED
        else:
            event[key] = _redact(event[key])
    return event


def add_trace_ids(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """Add the recording span's trace and span ids (W3C hex)."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event.setdefault("trace_id", trace.format_trace_id(context.trace_id))
        event["span_id"] = trace.format_span_id(context.span_id)
    return event


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_trace_ids,
        structlog.processors.format_exc_info,
        redact_event,
    ]


def configure_logging(settings: ObservabilitySettings, *, stream: TextIO | None = None) -> None:
    """Send structlog and standard-library logs through one redacting pipeline.

    Logging is process-wide by nature: call this once, at the edge.
    """
    level = getattr(logging, settings.log_level.upper())
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if settings.log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared = _shared_processors()
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[_positional_args, *shared],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_office", False)]:
        root.removeHandler(old)
    handler._office = True  # type: ignore[attr-defined]  # ours, to replace on reconfigure
    root.addHandler(handler)
    root.setLevel(level)


def _positional_args(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """Render a standard-library record's `%s` arguments into its message."""
    record = event.get("_record")
    if isinstance(record, logging.LogRecord) and record.args:
        event["event"] = record.getMessage()
        event.pop("positional_args", None)
    return event
