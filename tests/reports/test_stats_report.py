"""The stats report as one HTML file, and the SVG charts it is drawn with."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest

from intelligent_office.reports import stats_html
from intelligent_office.reports.charts import (
    Series,
    bar_rows,
    column_chart,
    line_chart,
    nice_ceiling,
)
from intelligent_office.store import Store


def test_axes_end_on_a_round_number() -> None:
    assert [nice_ceiling(v) for v in (0, 0.7, 3, 4, 7, 12, 0.013)] == [1, 1, 5, 5, 10, 20, 0.02]


def test_columns_stack_and_each_bar_says_its_value() -> None:
    svg = column_chart(
        ["12-01", "12-02"],
        [Series("completed", "ok", [3, 1]), Series("failed", "bad", [1, None])],
        fmt=lambda v: f"{v:g}",
        label="Tasks per day",
    )
    assert svg.startswith('<svg class="chart-svg"') and 'aria-label="Tasks per day"' in svg
    assert len(re.findall(r"<rect ", svg)) == 3  # no bar for None
    assert "<title>12-01: completed 3</title>" in svg
    assert "style=" not in svg and "<script" not in svg  # CSS classes only: the CSP holds
    heights = [float(h) for h in re.findall(r'height="([\d.]+)"', svg)]
    assert heights[0] == pytest.approx(3 * heights[1])  # 3 and 1 on the same scale


def test_lines_break_where_a_value_is_missing() -> None:
    svg = line_chart(
        list("abcd"),
        [Series("rate", "ok", [1.0, None, 0.5, 0.25])],
        fmt=str,
        label="x",
        top_value=1,
    )
    assert svg.count("<circle") == 3
    assert svg.count("<polyline") == 1  # c-d; a stands alone


def test_text_from_data_is_escaped() -> None:
    svg = bar_rows([("<script>x</script>", 0.5, "ok")], fmt=str, label="<b>", top_value=1)
    assert "<script>" not in svg and "&lt;script&gt;" in svg and 'aria-label="&lt;b&gt;"' in svg


def test_the_report_is_one_file_with_the_stylesheet_and_no_script(store: Store) -> None:
    task_id = uuid.uuid4().hex
    store.tasks.create(task_id=task_id, user_id="alice", description="x", body={})
    store.tasks.set_status(task_id, "unsupported")
    store.events.append(
        task_id=task_id,
        run_id=None,
        type="execution.finished",
        payload={
            "subtask_id": "s1",
            "steps": [
                {"step_id": "a", "status": "completed", "tool": "<img src=x onerror=alert(1)>"}
            ],
        },
        dedup_key="exec/1",
    )
    html = stats_html(store, days=7)
    assert html.startswith("<!doctype html>")
    assert "<style>" in html and "prefers-color-scheme: dark" in html
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert html.count("<svg") == 7
    assert 'id="stat-unsupported"><dt>Unsupported</dt><dd>1</dd>' in html
    assert 'id="stat-success"><dt>Success rate</dt><dd>–</dd>' in html  # nothing judged yet
    assert "in the last 7 days" in html
    assert datetime.now(UTC).strftime("%Y-%m-%d") in html
