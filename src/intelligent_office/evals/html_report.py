"""The eval report as one self-contained HTML page: inline CSS and SVG, nothing fetched."""

from __future__ import annotations

from html import escape

from intelligent_office.evals.results import CapabilityScore, CaseResult, EvalReport

__all__ = ["render_html"]

_BAR_HEIGHT = 22
_LABEL_WIDTH = 170
_CHART_WIDTH = 640

_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #1d232b;
       padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.meta { color: #5a6572; } .rate { font-size: 2rem; font-weight: 600; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .35rem .5rem;
        border-bottom: 1px solid #dde2e7; vertical-align: top; }
th { background: #f3f5f7; } td.why { color: #9b1c1c; } code { font-size: 12px; }
svg text { font: 12px system-ui, sans-serif; fill: #1d232b; }
.none { color: #1c7c3c; }
"""


def render_html(report: EvalReport, *, ui_url: str = "") -> str:
    """The page: pass rate, a bar chart by capability and the table of failures.

    Each failure links to its task in the web UI at `{ui_url}/ui/tasks/{task_id}`.
    """
    title = f"Eval {escape(report.suite)}: {report.passed}/{len(report.cases)} passed"
    failures = report.failures()
    rows = "\n".join(_failure_row(case, ui_url) for case in failures)
    table = (
        "<table id='failures'><thead><tr><th>case</th><th>capability</th><th>task</th>"
        "<th>status</th><th>why</th><th>task id</th></tr></thead>"
        f"<tbody>\n{rows}\n</tbody></table>"
        if failures
        else "<p class='none'>No failures.</p>"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>{_CSS}</style></head>
<body>
<h1>{title}</h1>
<p class="meta">run <code>{escape(report.run_id)}</code> · brain {escape(report.brain)} ·
{report.started_at:%Y-%m-%d %H:%M:%S} UTC · {report.seconds:.1f} s ·
suite <code>{escape(report.suite_path)}</code></p>
<p class="rate">{report.pass_rate:.1%}</p>
<h2>Pass rate by capability</h2>
{_chart(report.by_capability())}
<h2>Failures ({len(failures)})</h2>
{table}
</body></html>
"""


def _chart(scores: list[CapabilityScore]) -> str:
    """Horizontal bars, one per capability, green for the passed share."""
    bar_space = _CHART_WIDTH - _LABEL_WIDTH - 90
    height = _BAR_HEIGHT * len(scores) + 10
    parts = [
        f'<svg id="pass-rate-chart" role="img" aria-label="pass rate by capability" '
        f'width="{_CHART_WIDTH}" height="{height}" viewBox="0 0 {_CHART_WIDTH} {height}" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    for row, score in enumerate(scores):
        y = row * _BAR_HEIGHT + 5
        passed = round(bar_space * score.rate)
        name = escape(score.capability)
        parts += [
            f'<g class="bar" data-capability="{name}" data-rate="{score.rate:.4f}">',
            f"<title>{name}: {score.passed}/{score.total}</title>",
            f'<text x="0" y="{y + 15}">{name}</text>',
            f'<rect x="{_LABEL_WIDTH}" y="{y}" width="{bar_space}" height="{_BAR_HEIGHT - 6}"'
            ' fill="#f0d4d4"/>',
            f'<rect x="{_LABEL_WIDTH}" y="{y}" width="{passed}" height="{_BAR_HEIGHT - 6}"'
            ' fill="#3a9a5b"/>',
            f'<text x="{_LABEL_WIDTH + bar_space + 8}" y="{y + 15}">'
            f"{score.rate:.0%} ({score.passed}/{score.total})</text>",
            "</g>",
        ]
    parts.append("</svg>")
    return "\n".join(parts)


def _failure_row(case: CaseResult, ui_url: str) -> str:
    task_cell = "—"
    if case.task_id:
        href = f"{ui_url.rstrip('/')}/ui/tasks/{case.task_id}"
        task_cell = f'<a href="{escape(href)}"><code>{escape(case.task_id)}</code></a>'
    return (
        f"<tr data-case='{escape(case.case_id)}'><td><code>{escape(case.case_id)}</code></td>"
        f"<td>{escape(case.capability)}</td><td>{escape(case.task)}</td>"
        f"<td>{escape(case.status)}</td><td class='why'>{escape(case.why)}</td>"
        f"<td>{task_cell}</td></tr>"
    )
