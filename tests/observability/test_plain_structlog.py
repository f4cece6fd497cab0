"""structlog loaded through `plain_structlog` renders plain tracebacks and leaves rich usable;
log context bound before structlog loads is in the lines logged inside it."""

from __future__ import annotations

from tests.fresh_python import fresh_python

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
loaded = sorted(
    m for m in ("pygments", "rich", "rich.traceback", "rich.pretty") if m in sys.modules
)
import rich.traceback  # still importable for whoever wants it
print(json.dumps({"loaded": loaded, "log": out.getvalue()}))
"""


def test_structlog_loads_without_rich_tracebacks_and_renders_plain_ones() -> None:
    report = fresh_python(_PROBE)
    assert report["loaded"] == []
    log = report["log"]
    assert "failed" in log and "run_id=r1" in log
    assert "Traceback (most recent call last)" in log and "ZeroDivisionError" in log


# A run binds its context without loading structlog; a line logged inside it (structlog
# loaded then) carries it, structlog's own binding of the same key nests and unwinds, and
# nothing is left bound after the block.
_CONTEXT_PROBE = """
import io, json, sys
from intelligent_office.observability.plain_structlog import bound_contextvars, get_logger
with bound_contextvars(run_id="r1", task_id="t1"):
    before = "structlog" in sys.modules
    import structlog
    out = io.StringIO()
    structlog.configure(
        processors=[structlog.contextvars.merge_contextvars, structlog.processors.JSONRenderer()],
        logger_factory=structlog.PrintLoggerFactory(out),
    )
    get_logger("probe").info("inside")
    with structlog.contextvars.bound_contextvars(run_id="r2"):
        get_logger("probe").info("nested")
    get_logger("probe").info("after_nested")
get_logger("probe").info("outside")
lines = [json.loads(line) for line in out.getvalue().splitlines()]
print(json.dumps({"before": before, "lines": lines,
                  "left": structlog.contextvars.get_contextvars()}))
"""


def test_context_bound_before_structlog_loads_is_logged() -> None:
    report = fresh_python(_CONTEXT_PROBE)
    assert report["before"] is False
    inside, nested, after_nested, outside = report["lines"]
    assert (inside["run_id"], inside["task_id"]) == ("r1", "t1")
    assert (nested["run_id"], nested["task_id"]) == ("r2", "t1")
    assert after_nested["run_id"] == "r1"
    assert "run_id" not in outside and "task_id" not in outside
    assert report["left"] == {}


# `at_least` inside a command that logs nothing never loads structlog; when a line is
# logged inside it (structlog loaded then), lines below the level are dropped from the
# first, and structlog's configuration is its own again after the block (nested too).
_LEVEL_PROBE = """
import io, json, logging, sys
from intelligent_office.observability.plain_structlog import at_least, get_logger
real, sys.stdout = sys.stdout, io.StringIO()  # where structlog prints by default
with at_least(logging.WARNING):
    pass
quiet_loaded = "structlog" in sys.modules
with at_least(logging.WARNING):
    with at_least(logging.ERROR):
        get_logger("probe").warning("inner_warning")  # loads structlog
        get_logger("probe").error("inner_error")
    get_logger("probe").info("outer_info")
    get_logger("probe").warning("outer_warning")
get_logger("probe").info("after")
out, sys.stdout = sys.stdout.getvalue(), real
print(json.dumps({"quiet_loaded": quiet_loaded, "out": out}))
"""


def test_at_least_filters_from_the_first_line_without_loading_structlog() -> None:
    report = fresh_python(_LEVEL_PROBE)
    assert report["quiet_loaded"] is False
    out = report["out"]
    assert "inner_warning" not in out and "inner_error" in out
    assert "outer_info" not in out and "outer_warning" in out
    assert "after" in out


# The modules that log from a server, a worker or an MCP connection (which `office run`
# opens when MCP servers are configured) hold a `lazy_logger`: importing them loads no
# structlog, and their lines inside `at_least` (`office run`'s quiet block) obey its level
# and render plain tracebacks, as every other line does.
_LAZY_PROBE = """
import io, json, logging, sys
from intelligent_office.observability.plain_structlog import at_least
from intelligent_office.tools.mcp import connection
from intelligent_office.webhooks import dispatcher
loaded_by_import = "structlog" in sys.modules
real, sys.stdout = sys.stdout, io.StringIO()  # where structlog prints by default
with at_least(logging.WARNING):
    connection.log.info("mcp_info")
    connection.log.warning("mcp_warning")
    dispatcher.log.info("webhook_info")
connection.log.info("after")
out, sys.stdout = sys.stdout.getvalue(), real
loaded = sorted(m for m in ("pygments", "rich.traceback", "rich.pretty") if m in sys.modules)
print(json.dumps({"loaded_by_import": loaded_by_import, "out": out, "loaded": loaded}))
"""


def test_module_loggers_load_structlog_at_their_first_line_under_the_blocks_level() -> None:
    report = fresh_python(_LAZY_PROBE)
    assert report["loaded_by_import"] is False
    out = report["out"]
    assert "mcp_info" not in out and "webhook_info" not in out
    assert "mcp_warning" in out and "after" in out
    assert report["loaded"] == []
