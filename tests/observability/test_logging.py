"""Structured logs: one JSON object per line, with run and trace ids, and no secrets."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog
from opentelemetry.sdk.trace import TracerProvider

from intelligent_office.observability import ObservabilitySettings, configure_logging
from intelligent_office.observability.logging import REDACTED

SECRET = "sk-live-0123456789abcdefSECRET"


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging(ObservabilitySettings(log_format="json", log_level="debug"), stream=stream)
    try:
        yield stream
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        structlog.reset_defaults()
        structlog.contextvars.clear_contextvars()


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_logs_are_json_with_run_and_trace_ids_and_secrets_redacted(logs: io.StringIO) -> None:
    tracer = TracerProvider().get_tracer("test")
    log = structlog.get_logger("office.test")
    with (
        structlog.contextvars.bound_contextvars(task_id="t1", run_id="r1"),
        tracer.start_as_current_span("agent.planner") as span,
    ):
        log.info(
            "provider.called",
            api_key=SECRET,
            headers={"Authorization": f"Bearer {SECRET}", "accept": "json"},
            note=f"retrying with key {SECRET} at https://bob:hunter2pass@example.com/v1",
        )
        logging.getLogger("office.stdlib").warning("token %s refused", SECRET)

    structured, plain = lines(logs)
    trace_id = format(span.get_span_context().trace_id, "032x")
    assert structured["event"] == "provider.called" and structured["level"] == "info"
    assert (structured["task_id"], structured["run_id"]) == ("t1", "r1")
    assert structured["trace_id"] == trace_id and structured["span_id"]
    assert structured["api_key"] == REDACTED
    assert structured["headers"] == {"Authorization": REDACTED, "accept": "json"}
    assert "hunter2pass" not in str(structured["note"])
    assert plain["logger"] == "office.stdlib" and plain["trace_id"] == trace_id
    assert plain["event"] == f"token {REDACTED} refused"
    assert SECRET not in logs.getvalue() and "hunter2pass" not in logs.getvalue()


def test_console_format_is_plain_text(logs: io.StringIO) -> None:
    stream = io.StringIO()
    configure_logging(ObservabilitySettings(log_format="console"), stream=stream)
    structlog.get_logger("office.test").info("hello", password="p4ssw0rd-value")
    text = stream.getvalue()
    assert "hello" in text and "p4ssw0rd-value" not in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
