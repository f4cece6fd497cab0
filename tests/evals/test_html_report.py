"""The HTML report of a real eval run, opened in Debian's Chromium: the pass-rate chart by
capability and the failures table linking each failure to its task."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from intelligent_office.evals import EvalReport, EvalRunner, load_suite, render_html
from intelligent_office.front_door import Office
from intelligent_office.settings import load_settings
from intelligent_office.store import Store
from tests.evals.conftest import SAMPLE_APP, write_suite
from tests.ui.conftest import browser

pytestmark = [pytest.mark.browser, pytest.mark.timeout(90)]
__all__ = ["browser"]  # the module-scoped Chromium of the UI tests

SUITE = f"""
cases:
  - id: trace-right
    capability: trace
    task: Trace the call sequence from main() to process_data() in app
    workspace: {{path: {SAMPLE_APP}}}
    checks: {{call_chain: {{from: main, to: process_data, root: app}}}}
  - id: trace-wrong-expectation
    capability: trace
    task: Trace the call sequence from main() to process_data() in app
    workspace: {{path: {SAMPLE_APP}}}
    checks: {{call_chain: {{hops: [main, load_records, process_data]}}}}
  - id: calc
    capability: calculate
    task: What is 2^10?
    workspace: {{scratch: {{}}}}
    checks: {{answer_contains: "1024"}}
  - id: calc-words
    capability: calculate
    task: calculate 7 times 6 <please>
    workspace: {{scratch: {{}}}}
    checks: {{answer_contains: "42"}}
"""


def run_suite(tmp_path: Path) -> EvalReport:
    settings = load_settings(
        None, home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'office.db'}"
    )
    settings = settings.model_copy(
        update={"memory": settings.memory.model_copy(update={"enabled": False})}
    )
    store = Store.open(settings.resolved_database_url)
    try:
        suite = load_suite(write_suite(tmp_path, SUITE))
        runner = EvalRunner(Office.from_settings(settings, store), concurrency=2)
        return asyncio.run(runner.run(suite, suite.cases))
    finally:
        store.close()


def test_the_report_shows_the_chart_and_links_each_failure_to_its_task(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    report = run_suite(tmp_path)  # before Chromium starts: Playwright holds this thread's loop
    assert [case.passed for case in report.cases] == [True, False, True, False]
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(report, ui_url="http://127.0.0.1:8000"), encoding="utf-8")

    chromium: Browser = request.getfixturevalue("browser")
    page = chromium.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_file.as_uri())

    expect(page.locator("h1")).to_have_text(f"Eval {report.suite}: 2/4 passed")
    bars = page.locator("#pass-rate-chart g.bar")
    expect(bars).to_have_count(2)
    expect(page.locator("#pass-rate-chart g.bar[data-capability='calculate']")).to_have_attribute(
        "data-rate", "0.5000"
    )
    expect(page.locator("#pass-rate-chart")).to_contain_text("trace")
    assert page.locator("#pass-rate-chart").bounding_box() is not None  # drawn, not hidden

    rows = page.locator("#failures tbody tr")
    expect(rows).to_have_count(2)
    wrong = page.locator("#failures tr[data-case='trace-wrong-expectation']")
    expect(wrong).to_contain_text("does not pass through load_records")
    task_id = report.cases[1].task_id
    assert task_id is not None
    link = wrong.get_by_role("link", name=task_id)
    expect(link).to_have_attribute("href", f"http://127.0.0.1:8000/ui/tasks/{task_id}")
    expect(page.locator("tr[data-case='calc-words']")).to_contain_text("unsupported")
    assert requests == [page_file.as_uri()]  # self-contained: nothing else fetched
    page.close()
