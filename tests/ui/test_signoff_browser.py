"""Plan sign-off in the browser: a task submitted with "sign off each plan" waits; the
approvals inbox shows its steps with their risk; the person edits a step's input (JSON)
and signs off; the edited input is what runs, and the task page says so."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from tests.api.conftest import LiveServer
from tests.ui.conftest import BrowserSession, Screenshots
from tests.ui.test_browser import TASK_URL, no_console_errors, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(90)]


def test_sign_off_a_plan_with_an_edited_step(
    live: LiveServer, ui: BrowserSession, shots: Screenshots, workspace: Path
) -> None:
    tab = ui.open()
    page = tab.page
    page.goto("/ui/")
    sign_in(tab, live.key("alice", "operator"))
    page.goto("/ui/")
    page.get_by_label("Task, in plain language").fill('Write "planned" to out/planned.txt')
    page.get_by_label("Workspace").fill(str(workspace))
    page.get_by_label("Let me sign off each plan before it runs").check()
    page.get_by_role("button", name="Submit task").click()
    expect(page).to_have_url(TASK_URL)
    expect(page.locator(".waiting")).to_contain_text("plan for subtask", timeout=30_000)
    shots.take(page, "waiting-for-signoff")

    inbox = ui.open()
    inbox.page.goto("/ui/approvals")
    card = inbox.page.locator('#pending-approvals tr[data-kind="plan"]')
    expect(card).to_have_count(1)
    step = card.locator("table.plan-steps tbody tr")
    expect(step).to_have_count(1)
    expect(step).to_contain_text("write_file")
    expect(step).to_contain_text(re.compile(r"\d+/100 run"))
    editor = step.locator("textarea")
    planned = json.loads(editor.input_value())
    assert planned["path"] == "out/planned.txt"
    # The person moves the file; the offline reviewer checks the text is where it was written.
    edited = {**planned, "path": "out/edited.txt"}
    editor.fill(json.dumps(edited))
    shots.take(inbox.page, "plan-edited")
    card.get_by_role("button", name="Sign off").click()
    expect(inbox.page.get_by_role("status")).to_contain_text("approved by alice")
    expect(inbox.page.locator("#no-approvals")).to_be_visible()

    expect(page.locator("#task-status")).to_have_text("completed", timeout=30_000)
    assert (workspace / "out" / "edited.txt").read_text() == "planned"
    assert not (workspace / "out" / "planned.txt").exists()
    page.reload()
    expect(page.locator("#steps")).to_contain_text("out/edited.txt")
    expect(page.locator("#steps")).to_contain_text("input edited at sign-off by alice")
    expect(page.locator("#steps .risk").first).to_contain_text("/100")
    expect(page.locator("#task-approvals")).to_contain_text("plan")
    shots.take(page, "signed-off-task-completed")
    no_console_errors(tab, inbox)
