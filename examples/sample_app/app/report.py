"""Formatting a summary for the terminal."""

from __future__ import annotations

from app.core import Summary


def format_report(summary: Summary, top: int) -> str:
    """The `top` customers by total, then the rejected order ids."""
    ranked = sorted(summary.totals.items(), key=lambda item: (-item[1], item[0]))
    lines = [f"{customer:<20} {total:>10.2f}" for customer, total in ranked[:top]]
    if summary.rejected:
        lines.append(f"rejected orders: {', '.join(summary.rejected)}")
    return "\n".join(lines)
