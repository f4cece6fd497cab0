"""Reports a person would rather look at than read: the stats page and its SVG charts.

Rendered with Jinja2 only (no web framework), so `office stats --html` writes the same
page the web UI serves at /ui/stats without loading the API.
"""

from __future__ import annotations

from intelligent_office.reports.stats_report import TEMPLATE_DIR, stats_context, stats_html

__all__ = ["TEMPLATE_DIR", "stats_context", "stats_html"]
