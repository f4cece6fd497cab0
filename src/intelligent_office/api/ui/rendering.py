"""Jinja2 pages of the web UI: autoescaped templates, with headers that keep pages private.

Task text is user input, so every template is autoescaped and the Content-Security-Policy
allows scripts and styles from this server only: an injected `<script>` neither runs
inline nor loads from elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.responses import Response

from intelligent_office.api.auth import Principal
from intelligent_office.api.ui.markdown import render_markdown
from intelligent_office.reports.stats_report import TEMPLATE_DIR as REPORT_TEMPLATES

__all__ = ["SECURITY_HEADERS", "STATIC_DIR", "TEMPLATES", "page"]

UI_DIR = Path(__file__).resolve().parent
STATIC_DIR = UI_DIR / "static"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
        " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _when(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:  # SQLite hands back naive UTC times
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _usd(value: float) -> str:
    return f"${value:.4f}" if value < 1 else f"${value:,.2f}"


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader([UI_DIR / "templates", REPORT_TEMPLATES]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["when"] = _when
    environment.filters["usd"] = _usd
    environment.filters["markdown"] = render_markdown
    return environment


TEMPLATES = Jinja2Templates(env=_environment())


def page(
    request: Request,
    template: str,
    principal: Principal | None,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    """Render a page (or a fragment) with the signed-in principal and the safety headers."""
    values: dict[str, Any] = {"principal": principal, "notice": None, "error": None}
    values.update(context or {})
    return TEMPLATES.TemplateResponse(
        request, template, values, status_code=status_code, headers=SECURITY_HEADERS
    )
