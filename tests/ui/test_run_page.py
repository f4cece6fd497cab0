"""The run page in Chromium: a finished task's timeline and steps, and "re-run from here"
on its second tool call with an edited input, which finishes with the edit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from tests.api.conftest import LiveServer
from tests.ui.conftest import BrowserSession, Screenshots, ui_client
from tests.ui.test_browser import TASK_URL, no_console_errors, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

RUN_URL = re.compile(r"/ui/runs/[0-9a-f]{32}$")


def test_rerun_from_a_step_with_an_edited_input_finishes_with_the_edit(
    live: LiveServer, ui: BrowserSession, shots: Screenshots, workspace: Path
) -> None:
    tab = ui.open()
    page = tab.page
    page.goto("/ui/")
    sign_in(tab, live.key("alice", "operator"))
    submit(tab, "calculate 2+3 and then calculate 4*5")
    expect(page.locator("#task-status")).to_have_text("completed", timeout=30_000)
    original_task = page.url

    page.locator("#run-link").click()
    expect(page).to_have_url(RUN_URL)
    run_url = page.url
    expect(page.locator("#timeline rect.bar")).to_have_count(17)
    expect(page.locator("#timeline")).to_contain_text("subtask s2")
    shots.take(page, "timeline")

    second_call = page.locator("#steps li", has_text="subtask/s2/iter/1/node/calculate")
    # What the step saw: its journaled input, the expression it was given.
    second_call.locator("summary", has_text="What it saw").click()
    expect(second_call.locator(".step-input pre")).to_contain_text("4*5")
    second_call.locator("summary", has_text="Re-run from here").click()
    second_call.get_by_label("Edit this step's input").fill('{"inputs": {"expression": "6*7"}}')
    second_call.get_by_role("button", name="Re-run from here").click()

    expect(page).to_have_url(TASK_URL)
    assert page.url != original_task
    expect(page.locator("#task-status")).to_have_text("completed", timeout=30_000)
    expect(page.locator("#answer")).to_contain_text("6*7 = 42")
    expect(page.locator("#answer")).to_contain_text("2+3 = 5")
    page.locator("#run-link").click()
    expect(page.locator("#lineage")).to_contain_text("at step subtask/s2/iter/1/node/calculate")
    shots.take(page, "forked-run")
    no_console_errors(tab)

    # Another tenant neither sees the run nor can fork it.
    bob = ui_client(live, live.key("bob", "operator"))
    run_path = run_url.removeprefix(live.url)
    assert bob.get(run_path).status_code == 404
    refused = bob.post(f"{run_path}/fork", data={"at": "1"})
    assert refused.status_code == 404
    assert len(live.store.runs.recent(limit=10)) == 2
