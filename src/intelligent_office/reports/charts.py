"""Charts drawn on the server as inline SVG: no script, no chart library, no inline style.

Colours come from CSS classes (`series-ok`, `series-bad`, ...) of office.css, so charts
follow the light or dark theme and the Content-Security-Policy needs no exception. Each
bar and point carries a <title> with its exact value (a tooltip, and text for a screen
reader). Every text that comes from data is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["Series", "bar_rows", "column_chart", "line_chart", "nice_ceiling"]

WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 62, 12, 12, 30
Format = Callable[[float], str]


@dataclass(frozen=True)
class Series:
    """One named row of values, one per label (None: no value there), drawn in a tone."""

    name: str
    tone: str
    values: Sequence[float | None]


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least `value`."""
    if value <= 0 or math.isnan(value):
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= value * (1 - 1e-9))


def _svg(body: list[str], label: str, height: int = HEIGHT) -> Markup:
    return Markup(
        f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {height}" role="img"'
        f' aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        + "".join(body)
        + "</svg>"
    )


def _axes(top_value: float, fmt: Format, labels: Sequence[str]) -> list[str]:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = []
    for share in (0.0, 0.5, 1.0):
        y = TOP + plot_h * (1 - share)
        parts.append(
            f'<line class="axis" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>'
        )
        tick = escape(fmt(top_value * share))
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    slot = plot_w / max(len(labels), 1)
    every = max(1, math.ceil(len(labels) * 52 / plot_w))  # a label per 52 units at most
    for index, text in enumerate(labels):
        if index % every == 0:
            x = LEFT + slot * (index + 0.5)
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - 10}" text-anchor="middle">{escape(text)}</text>'
            )
    return parts


def column_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    fmt: Format,
    label: str,
    stacked: bool = True,
) -> Markup:
    """Columns per label: the series stacked (or side by side when `stacked` is False)."""
    totals = (
        [
            sum(s.values[i] or 0 for s in series)
            if stacked
            else max((s.values[i] or 0) for s in series)
            for i in range(len(labels))
        ]
        if series
        else []
    )
    top_value = nice_ceiling(max(totals, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    group = min(slot * 0.7, 44.0)
    width = group if stacked else group / max(len(series), 1)
    parts = _axes(top_value, fmt, labels)
    for index, name in enumerate(labels):
        base = float(TOP + plot_h)
        for number, line in enumerate(series):
            value = line.values[index]
            if not value:
                continue
            height = plot_h * value / top_value
            x = LEFT + slot * index + (slot - group) / 2 + (0 if stacked else number * width)
            y = base - height
            parts.append(
                f'<rect class="series-{escape(line.tone)}" x="{x:.1f}" y="{y:.1f}"'
                f' width="{width:.1f}" height="{height:.1f}">'
                f"<title>{escape(name)}: {escape(line.name)} {escape(fmt(value))}</title></rect>"
            )
            if stacked:
                base = y
    return _svg(parts, label)


def line_chart(
    labels: Sequence[str], series: Sequence[Series], *, fmt: Format, label: str, top_value: float
) -> Markup:
    """Lines through each series' values (a gap where a value is None), points titled."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    parts = _axes(top_value, fmt, labels)
    for line in series:
        points: list[tuple[float, float, int]] = []
        runs: list[list[tuple[float, float, int]]] = [points]
        for index, value in enumerate(line.values):
            if value is None:
                points = []
                runs.append(points)
                continue
            y = TOP + plot_h * (1 - min(value, top_value) / top_value)
            points.append((LEFT + slot * (index + 0.5), y, index))
        for run in runs:
            if len(run) > 1:
                coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in run)
                parts.append(
                    f'<polyline class="line series-{escape(line.tone)}" points="{coordinates}"/>'
                )
            for x, y, index in run:
                said = f"{labels[index]}: {line.name} {fmt(line.values[index] or 0.0)}"
                parts.append(
                    f'<circle class="series-{escape(line.tone)}" cx="{x:.1f}" cy="{y:.1f}" r="3.5">'
                    f"<title>{escape(said)}</title></circle>"
                )
    return _svg(parts, label)


def bar_rows(
    rows: Sequence[tuple[str, float | None, str]],
    *,
    fmt: Format,
    label: str,
    top_value: float | None = None,
) -> Markup:
    """One horizontal bar per (name, value, tone) row, the value written after it."""
    row_h, name_w, value_w = 24, 132, 64
    height = TOP + row_h * max(len(rows), 1) + 6
    top = top_value or nice_ceiling(max((value or 0 for _, value, _ in rows), default=0))
    span = WIDTH - name_w - value_w - RIGHT
    parts = []
    for index, (name, value, tone) in enumerate(rows):
        y = TOP + index * row_h
        short = name if len(name) <= 18 else name[:17] + "…"
        parts.append(
            f'<text x="{name_w - 8}" y="{y + 15}" text-anchor="end">{escape(short)}'
            f"<title>{escape(name)}</title></text>"
        )
        shown = "-" if value is None else fmt(value)
        if value:
            width = max(span * min(value, top) / top, 1.0)
            parts.append(
                f'<rect class="series-{escape(tone)}" x="{name_w}" y="{y + 4}" width="{width:.1f}"'
                f' height="{row_h - 8}"><title>{escape(name)}: {escape(shown)}</title></rect>'
            )
        else:
            width = 0.0
        parts.append(f'<text x="{name_w + width + 6:.1f}" y="{y + 15}">{escape(shown)}</text>')
    return _svg(parts, label, height)
