"""structlog loaded through `plain_structlog` renders plain tracebacks and leaves rich usable."""

from __future__ import annotations

import json
import subprocess
import sys

# Fresh interpreter: whether structlog finds rich is decided once, at its first import.
_PROBE = """
import io, json, sys
from intelligent_office.observability.plain_structlog import get_logger, load_structlog
load_structlog()
import structlog
out = io.StringIO()
structlog.configure(
    processors=[structlog.dev.ConsoleRenderer(colors=False)],
    logger_factory=structlog.PrintLoggerFactory(out),
)
try:
    1 / 0
except ZeroDivisionError:
    get_logger("probe").exception("failed", run_id="r1")
loaded = sorted(m for m in ("pygments", "rich.traceback", "rich.pretty") if m in sys.modules)
import rich.traceback  # still importable for whoever wants it
print(json.dumps({"loaded": loaded, "log": out.getvalue()}))
"""


def test_structlog_loads_without_rich_tracebacks_and_renders_plain_ones() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    report = json.loads(done.stdout)
    assert report["loaded"] == []
    log = report["log"]
    assert "failed" in log and "run_id=r1" in log
    assert "Traceback (most recent call last)" in log and "ZeroDivisionError" in log
