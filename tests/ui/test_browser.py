"""A person's way through the web UI, in Debian's Chromium: sign in, submit a task, watch it
finish live, approve a risky step from the inbox, retry a dead letter, search the history.

Screenshots of every stage are kept in test-artifacts/ui/<test>/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from tests.api.conftest import LiveServer
from tests.ui.conftest import BrowserSession, Screenshots, Tab

pytestmark = [pytest.mark.browser, pytest.mark.timeout(90)]

TASK_URL = re.compile(r"/ui/tasks/[0-9a-f]{32}$")
CALCULATE = "Calculate 6 * 7"
LIST = "list files in notes"


def sign_in(tab: Tab, key: str) -> None:
    tab.page.get_by_label("API key").fill(key)
    tab.page.get_by_role("button", name="Sign in").click()


TRACE_TASK = "Trace the call sequence from main() to process_data() in sample_app"


def submit(tab: Tab, description: str, workspace: str = "") -> None:
    page = tab.page
    page.goto("/ui/")
    page.get_by_label("Task, in plain language").fill(description)
    if workspace:
        page.get_by_label("Workspace").fill(workspace)
    page.get_by_role("button", name="Submit task").click()
    expect(page).to_have_url(TASK_URL)


def no_console_errors(*tabs: Tab) -> None:
    # A script blocked by the CSP, an uncaught exception or a failed request shows here.
    errors = [error for tab in tabs for error in tab.errors]
    assert errors == []


def test_sign_in_submit_watch_it_finish_and_approve_a_risky_step(
    live: LiveServer, ui: BrowserSession, shots: Screenshots, workspace: Path
) -> None:
    tab = ui.open()
    page = tab.page

    page.goto("/ui/tasks")
    expect(page).to_have_url(re.compile(r"/ui/signin\?next=%2Fui%2Ftasks$"))
    sign_in(tab, "office_not-a-real-key")
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    shots.take(page, "sign-in-refused")
    tab.errors.clear()  # that 401 was the point
    sign_in(tab, live.key("alice", "operator"))
    expect(page).to_have_url(re.compile(r"/ui/tasks$"))  # back where sign-in was asked
    expect(page.locator(".who .user")).to_contain_text("alice")

    # The trace task, in the default workspace (alice's own, with sample_app): watch it finish.
    submit(tab, TRACE_TASK)
    expect(page.locator("#task-status")).to_have_text("completed", timeout=30_000)
    expect(page.locator("#answer")).to_contain_text("app.core.processing.process_data()")
    expect(page.locator("#dag .node.status-completed")).to_have_count(1)
    expect(page.locator("#steps")).to_contain_text("trace_calls")
    expect(page.locator("#reviews")).to_contain_text("APPROVE")
    expect(page.locator("#costs")).to_contain_text("offline brain")
    shots.take(page, "trace-task-completed")

    # Writing outside out/ needs a human: the task waits, live, for a decision.
    submit(tab, 'Write "hello from the browser" to the file notes.md', str(workspace))
    expect(page.locator(".waiting")).to_contain_text("notes.md", timeout=30_000)
    expect(page.locator("#task-status")).to_have_text("running")
    shots.take(page, "waiting-for-approval")

    inbox = ui.open()
    inbox.page.goto("/ui/approvals")
    pending = inbox.page.locator("#pending-approvals tr", has_text="notes.md")
    expect(pending).to_have_count(1)
    shots.take(inbox.page, "approvals-inbox")
    pending.get_by_label("Reason").fill("fine for the demo")
    pending.get_by_role("button", name="Approve").click()
    expect(inbox.page.get_by_role("status")).to_contain_text("approved by alice")
    expect(inbox.page.locator("#no-approvals")).to_be_visible()
    expect(inbox.page.locator("#decided-approvals")).to_contain_text("fine for the demo")
    shots.take(inbox.page, "approved")

    # The first tab was never reloaded: the live view follows the task's event stream
    # to its end.
    expect(page.locator("#task-status")).to_have_text("completed", timeout=30_000)
    task_id = page.url.rsplit("/", 1)[-1]
    assert f"{live.url}/ui/tasks/{task_id}/live" in tab.requests
    assert any(url.startswith(f"{live.url}/tasks/{task_id}/events?after=") for url in tab.requests)
    expect(page.locator(".waiting")).to_have_count(0)
    expect(page.locator("#task-approvals")).to_contain_text("approved")
    assert (workspace / "notes.md").read_text() == "hello from the browser"
    page.bring_to_front()
    shots.take(page, "approved-task-completed")

    # The history finds each task by its words and status.
    page.goto("/ui/tasks")
    page.get_by_label("Search tasks").fill("call sequence")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#history tbody tr")).to_have_count(1)
    expect(page.locator("#history")).to_contain_text("Trace the call sequence")
    page.get_by_label("Search tasks").fill("")
    page.get_by_label("Status").select_option("completed")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#history tbody tr")).to_have_count(2)
    shots.take(page, "history")
    no_console_errors(tab, inbox)


def test_a_dead_letter_is_retried_with_a_corrected_task(
    live: LiveServer, ui: BrowserSession, shots: Screenshots, workspace: Path
) -> None:
    workspace = workspace.parent / "carol"  # carol's own directory
    (workspace / "notes").mkdir()
    (workspace / "notes" / "todos.txt").write_text("ship the web UI\n")
    tab = ui.open()
    page = tab.page
    page.goto("/ui/")
    sign_in(tab, live.key("carol", "operator"))

    # Three subtasks (s2 after s1; s3 on its own); s2 reads a file that is not there.
    submit(tab, f"{CALCULATE} and then read the file notes/todo.txt; {LIST}", str(workspace))
    expect(page.locator("#task-status")).to_have_text("dead_lettered", timeout=30_000)
    expect(page.locator("#dag .node")).to_have_count(3)
    expect(page.locator("#dag .node.status-failed")).to_have_attribute("data-subtask", "s2")
    expect(page.locator("#dag .node.status-completed")).to_have_count(2)
    expect(page.locator("#dag .edge")).to_have_count(1)
    expect(page.locator("#dag .edge")).to_have_attribute("data-to", "s2")
    shots.take(page, "dead-lettered")

    page.get_by_role("link", name="retry it from Dead letters").click()
    letter = page.locator("#dead-letters tr", has_text="notes/todo.txt")
    expect(letter).to_have_count(1)
    shots.take(page, "dead-letters")
    corrected = f"{CALCULATE} and then read the file notes/todos.txt; {LIST}"
    letter.get_by_label("Corrected task").fill(corrected)
    letter.get_by_role("button", name="Retry").click()
    expect(page).to_have_url(TASK_URL)
    expect(page.locator("#task-status")).to_have_text("completed", timeout=30_000)
    expect(page.locator("#dag .node.status-completed")).to_have_count(3)
    expect(page.locator("#answer")).to_contain_text("ship the web UI")
    expect(page.locator("#answer")).to_contain_text("42")
    shots.take(page, "retried-task-completed")
    no_console_errors(tab)
