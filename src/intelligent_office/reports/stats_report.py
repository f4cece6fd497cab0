"""The stats report: success rate, duration and cost over time and by tool, as SVG charts.

The web UI serves it at /ui/stats (inside its own page frame) and `office stats --html
OUT` writes it as one self-contained file (the UI's stylesheet inlined, no script, no
request to anything), so a report can be mailed or archived. The figures come from
`observability.stats_history`; the charts from `reports.charts`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from intelligent_office.observability.stats_history import StatsHistory, stats_history
from intelligent_office.reports.charts import Series, bar_rows, column_chart, line_chart
from intelligent_office.store import Store

__all__ = ["TEMPLATE_DIR", "since_days", "stats_context", "stats_html"]

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
# The web UI's stylesheet, read as a file: the report looks like the UI, light or dark.
STYLESHEET = Path(__file__).resolve().parents[1] / "api" / "ui" / "static" / "office.css"

PERIODS = (("7", "7 days"), ("30", "30 days"), ("90", "90 days"), ("", "all time"))
TOP_TOOLS = 12
_OUTCOME_TONES = (
    ("completed", "ok"),
    ("unsupported", "warn"),
    ("failed", "bad"),
    ("cancelled", "muted"),
)


def _count(value: float) -> str:
    return f"{value:g}"


def _percent(value: float) -> str:
    return f"{value:.0%}"


def _seconds(value: float) -> str:
    if value == 0:
        return "0 s"
    if value < 1:
        return f"{value * 1000:.0f} ms" if value >= 0.0005 else "<1 ms"
    if value >= 120:
        return f"{value / 60:.1f} min"
    return f"{value:.2f} s" if value < 10 else f"{value:.0f} s"


def _usd(value: float) -> str:
    return f"${value:.4f}" if value < 1 else f"${value:,.2f}"


def _rate_tone(rate: float | None) -> str:
    if rate is None:
        return "muted"
    return "ok" if rate >= 0.9 else "warn" if rate >= 0.5 else "bad"


def stats_context(history: StatsHistory, days: float | None) -> dict[str, Any]:
    """What the stats templates show: the figures and each chart as SVG."""
    labels = [period.label for period in history.periods]
    over = "per hour" if history.period == "hour" else "per day"
    tools = history.tools[:TOP_TOOLS]
    outcomes = [
        Series(name, tone, [period.outcomes.get(name, 0) for period in history.periods])
        for name, tone in _OUTCOME_TONES
    ]
    charts = {
        "outcomes": column_chart(labels, outcomes, fmt=_count, label=f"Tasks {over} by outcome"),
        "success": line_chart(
            labels,
            [Series("success rate", "ok", [p.success_rate for p in history.periods])],
            fmt=_percent,
            label=f"Success rate {over}",
            top_value=1.0,
        ),
        "duration": column_chart(
            labels,
            [
                Series("p50", "run", [p.duration_p50_seconds for p in history.periods]),
                Series("p95", "warn", [p.duration_p95_seconds for p in history.periods]),
            ],
            fmt=_seconds,
            label=f"Task duration {over}",
            stacked=False,
        ),
        "cost": column_chart(
            labels,
            [Series("model cost", "run", [p.cost_usd for p in history.periods])],
            fmt=_usd,
            label=f"Model cost {over}",
        ),
        "tool_success": bar_rows(
            [(t.tool, t.success_rate, _rate_tone(t.success_rate)) for t in tools if t.calls],
            fmt=_percent,
            label="Step success rate by tool",
            top_value=1.0,
        ),
        "tool_duration": bar_rows(
            [(t.tool, t.duration_p50_seconds, "run") for t in tools if t.calls],
            fmt=_seconds,
            label="Median step duration by tool",
        ),
        "tool_cost": bar_rows(
            [(t.tool, t.cost_usd, "run") for t in tools], fmt=_usd, label="Model cost by tool"
        ),
    }
    return {
        "history": history,
        "charts": charts,
        "tools": tools,
        "over": over,
        "days": "" if days is None else f"{days:g}",
        "periods": PERIODS,
        "fmt": {"percent": _percent, "seconds": _seconds, "usd": _usd},
    }


def since_days(days: float | None) -> datetime | None:
    """The time `days` days ago; None (all time) for None."""
    return None if days is None else datetime.now(UTC) - timedelta(days=days)


def stats_html(store: Store, *, days: float | None = None, user_id: str | None = None) -> str:
    """The stats page as one self-contained HTML document."""
    history = stats_history(store, since=since_days(days), user_id=user_id)
    context = stats_context(history, days)
    context["css"] = STYLESHEET.read_text(encoding="utf-8")
    context["generated"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("stats_standalone.html").render(context)
