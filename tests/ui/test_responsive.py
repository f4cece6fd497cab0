"""Every page of the web UI at a phone's, a tablet's and a laptop's width, light and dark.

One server for the module holds real tasks run by the offline brain (completed,
dead-lettered, unsupported, one whose answer quotes hostile HTML) and, stored directly,
an approval, older tasks and model costs for the stats. One browser for the module; one
context per width. Screenshots of each page at each width are kept in
test-artifacts/ui/<test>/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import update
from tests.api.conftest import SAMPLE_APP, LiveServer, running
from tests.records import llm_call
from tests.ui.conftest import USERS, BrowserSession, Screenshots

from intelligent_office.settings import load_settings
from intelligent_office.store.tables import TaskRow

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

WIDTHS = (390, 768, 1366)
HOSTILE = '<script>alert("pwned")</script> <img src=x onerror=alert(1)> **bold**'
OFFICE = [sys.executable, "-c", "from intelligent_office.cli.main import main; main()"]
FINISHED = ("completed", "unsupported", "dead_lettered", "failed", "cancelled")


@dataclass
class Office:
    """The module's server, alice's key and her tasks by what they show."""

    live: LiveServer
    key: str
    tasks: dict[str, str]
    run_id: str
    """The run of the dead-lettered task, for the run page."""

    def pages(self) -> dict[str, str]:
        """Every signed-in page, by a name for its screenshot."""
        return {
            "home": "/ui/",
            "task-completed": f"/ui/tasks/{self.tasks['completed']}",
            "task-dead-lettered": f"/ui/tasks/{self.tasks['dead_lettered']}",
            "task-unsupported": f"/ui/tasks/{self.tasks['unsupported']}",
            "task-hostile-answer": f"/ui/tasks/{self.tasks['hostile']}",
            "task-24-subtasks": f"/ui/tasks/{self.tasks['wide']}",
            "run": f"/ui/runs/{self.run_id}",
            "approvals": "/ui/approvals",
            "dlq": "/ui/dlq",
            "history": "/ui/tasks?q=Calculate&status=",
            "stats": "/ui/stats?days=",
        }


def _wait(client: httpx.Client, task_id: str) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = str(client.get(f"/tasks/{task_id}/status").json()["status"])
        if status in FINISHED:
            return status
        time.sleep(0.1)
    raise AssertionError(f"task {task_id} did not finish")


def _costs(live: LiveServer, task_id: str, cost: float) -> None:
    live.store.llm_calls.add(
        llm_call(
            task_id=task_id,
            prompt_id="planner",
            input_tokens=1200,
            output_tokens=300,
            cost_usd=cost,
        )
    )


def _wide_task(live: LiveServer) -> str:
    """A running task of 24 subtasks (s1, then 22 in parallel, then s24), stored directly."""
    task_id = uuid.uuid4().hex
    live.store.tasks.create(
        task_id=task_id, user_id="alice", description="Summarize each chapter", status="running"
    )
    middle = [f"s{n}" for n in range(2, 24)]
    subtasks = [
        {"subtask_id": "s1", "description": "Read the report", "dependencies": []},
        *(
            {"subtask_id": s, "description": f"Summarize chapter {s} of the annual report"}
            | {"dependencies": ["s1"]}
            for s in middle
        ),
        {"subtask_id": "s24", "description": "Write the summary", "dependencies": middle},
    ]
    events = [("task.decomposed", {"subtasks": subtasks})]
    events += [("subtask.completed", {"subtask_id": s}) for s in ("s1", "s2", "s3")]
    for number, (kind, payload) in enumerate(events):
        live.store.events.append(
            task_id=task_id, run_id=None, type=kind, payload=payload, dedup_key=f"e{number}"
        )
    return task_id


def _backdate(live: LiveServer, task_id: str, days: int, seconds: float) -> None:
    start = datetime.now(UTC) - timedelta(days=days)
    with live.store.engine.begin() as db:
        db.execute(
            update(TaskRow)
            .where(TaskRow.task_id == task_id)
            .values(created_at=start, updated_at=start + timedelta(seconds=seconds))
        )


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    """The server with alice's tasks in every state a page shows differently."""
    root = tmp_path_factory.mktemp("responsive")
    for user in USERS:
        shutil.copytree(SAMPLE_APP, root / "workspace" / user / "sample_app")
    alice = root / "workspace" / "alice"
    (alice / "notes").mkdir()
    (alice / "notes" / "todos.txt").write_text("ship the web UI\n")
    (alice / "notes" / "evil.md").write_text(HOSTILE + "\n")
    settings = load_settings(
        None,
        home=root / "home",
        database_url=f"sqlite:///{root / 'office.db'}",
        workspace_roots=[root / "workspace"],
    )
    with running(settings) as live:
        key = live.key("alice", "operator")
        client = live.client(key)
        submitted = {
            "completed": "Calculate 6 * 7 and then list files in notes",
            "dead_lettered": (
                "Calculate 6 * 7 and then read the file notes/todo.txt; list files in notes"
            ),
            "unsupported": "Send an email to Bob about the release",
            "hostile": "read the file notes/evil.md",
        }
        tasks: dict[str, str] = {}
        for name, description in submitted.items():
            answer = client.post("/tasks", json={"description": description})
            assert answer.status_code in (200, 201, 202), answer.text
            tasks[name] = answer.json()["task_id"]
        for name, task_id in tasks.items():
            expected = name if name in FINISHED else "completed"
            assert _wait(client, task_id) == expected, name
        # Older tasks, for charts over several days; model costs, for the cost charts.
        for days, seconds in ((6, 4.0), (4, 12.0), (2, 2.5)):
            old = client.post("/tasks", json={"description": f"Calculate {days} * 11"}).json()
            _wait(client, old["task_id"])
            _backdate(live, old["task_id"], days, seconds)
            _costs(live, old["task_id"], 0.004 * days)
        _costs(live, tasks["completed"], 0.0125)
        tasks["wide"] = _wide_task(live)
        live.store.approvals.request(
            approval_id="ap-responsive",
            task_id=tasks["completed"],
            run_id=None,
            kind="tool",
            subject="step save: write_file notes/a-rather-long-file-name-for-a-phone.md",
            detail={"tool": "write_file", "risk": "high"},
        )
        run = live.store.runs.recent(task_id=tasks["dead_lettered"], limit=1)[0]
        yield Office(live, key, tasks, run.run_id)


@pytest.fixture
def signed_in(browser: Browser, office: Office) -> Iterator[BrowserSession]:
    """A context for one test, signed in as alice through the sign-in form."""
    context = browser.new_context(base_url=office.live.url, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    session = BrowserSession(context)
    try:
        yield session
    finally:
        context.close()


def sign_in(page: Page, key: str) -> None:
    page.goto("/ui/signin")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".who .user")).to_contain_text("alice")


def fits(page: Page) -> dict[str, object]:
    """What overflows on the page: sideways scroll, header items outside the viewport,
    one-word table cells broken over lines, and one-line badges that wrapped."""
    return dict(
        page.evaluate(
            """() => {
      const width = document.documentElement.clientWidth;
      const outside = [...document.querySelectorAll('.bar a, .bar button, .bar .user')]
        .filter(e => {
          const r = e.getBoundingClientRect(); return r.right > width + 0.5 || r.left < 0;
        })
        .map(e => e.textContent.trim());
      const oneLine = (node) => {  // each piece of text in it on a single line
        const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
        for (let text = walker.nextNode(); text; text = walker.nextNode()) {
          if (!text.textContent.trim()) { continue; }
          const range = document.createRange(); range.selectNodeContents(text);
          const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
          if (tops.size > 1) { return false; }
        }
        return true;
      };
      const broken = [...document.querySelectorAll('table.list td')]
        .filter(td => td.offsetParent !== null && /^\\S+$/.test(td.textContent.trim()))
        .filter(td => !oneLine(td)).map(td => td.textContent.trim());
      const wrapped = [...document.querySelectorAll('.status, td code, .nowrap')]
        .filter(e => e.offsetParent !== null && !oneLine(e)).map(e => e.textContent.trim());
      return {
        scroll: document.documentElement.scrollWidth - width,
        outside, broken, wrapped,
      };
    }"""
        )
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_the_screen_without_sideways_scrolling(
    width: int, office: Office, signed_in: BrowserSession, shots: Screenshots, browser: Browser
) -> None:
    tab = signed_in.open()
    page = tab.page
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, office.key)
    for name, path in office.pages().items():
        page.goto(path)
        expect(page.locator("main")).to_be_visible()
        shots.take(page, name)
        assert fits(page) == {"scroll": 0, "outside": [], "broken": [], "wrapped": []}, name
    assert tab.errors == []  # a style or script the CSP blocked would show here

    stranger = browser.new_page(base_url=office.live.url, viewport={"width": width, "height": 900})
    try:
        stranger.goto("/ui/signin")
        shots.take(stranger, "sign-in")
        assert fits(stranger)["scroll"] == 0
    finally:
        stranger.close()


def test_outcomes_answers_and_gaps_are_shown_for_what_they_are(
    office: Office, signed_in: BrowserSession, shots: Screenshots
) -> None:
    page = signed_in.open().page
    sign_in(page, office.key)
    pages = office.pages()

    page.goto(pages["task-completed"])
    expect(page.locator("#task-progress-label")).to_have_text("100%")
    expect(page.locator("#task-progress")).to_have_class(re.compile("tone-ok"))
    expect(page.locator("#answer h2").first).to_contain_text("s1")  # Markdown, not "## s1"
    expect(page.locator("#answer")).not_to_contain_text("## ")

    page.goto(pages["task-dead-lettered"])
    expect(page.locator("#task-status")).to_have_text("dead_lettered")
    expect(page.locator("#task-progress")).to_have_class(re.compile("tone-bad"))
    expect(page.locator("#task-progress-label")).to_have_text("2 of 3 subtasks done")
    expect(page.locator("#task-outcome")).to_contain_text("dead-letter queue")
    expect(page.locator("#answer")).not_to_contain_text("office dlq")
    shots.take(page, "dead-lettered")
    page.get_by_role("link", name="retry it from Dead letters").click()
    expect(page).to_have_url(re.compile(r"/ui/dlq#dl-"))
    letter = page.locator("tr:target")
    expect(letter).to_contain_text("notes/todo.txt")
    expect(letter.get_by_role("button", name="Retry")).to_be_visible()

    page.goto(pages["task-unsupported"])
    expect(page.locator("#task-progress")).to_have_class(re.compile("tone-warn"))
    expect(page.locator("#task-outcome")).to_contain_text("Not supported")
    gap = page.locator(".gap-card")
    expect(gap).to_contain_text("send_email")
    expect(gap).to_contain_text("What the Office can do instead")
    expect(page.locator("#no-plan")).to_contain_text("No plan could be made")
    expect(page.locator("#no-review")).to_contain_text("Nothing was reviewed")
    expect(page.get_by_text("No plan yet.")).to_have_count(0)
    shots.take(page, "unsupported")

    page.goto(pages["task-hostile-answer"])
    answer = page.locator("#answer")
    expect(answer).to_contain_text('<script>alert("pwned")</script>')
    expect(answer).to_contain_text("<img src=x onerror=alert(1)>")
    expect(answer.locator("script, img")).to_have_count(0)
    shots.take(page, "hostile-answer")


@pytest.mark.parametrize("width", (390, 1366))
def test_a_dag_of_24_subtasks_scrolls_inside_its_box_with_every_label_in_full(
    width: int, office: Office, signed_in: BrowserSession, shots: Screenshots
) -> None:
    page = signed_in.open().page
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, office.key)
    page.goto(office.pages()["task-24-subtasks"])
    expect(page.locator("#dag .node")).to_have_count(24)
    expect(page.locator("#dag .node.status-completed")).to_have_count(3)
    box = page.locator(".dag-wrap")
    size = box.evaluate(
        "e => [e.scrollWidth, e.clientWidth, e.scrollHeight, e.clientHeight,"
        " e.getBoundingClientRect().height]"
    )
    assert size[2] <= size[3]  # 22 parallel subtasks wrap into columns: no scrolling down
    assert size[4] < 700  # the box stays a picture on the page, not a long list
    if width == 390:
        assert size[0] > size[1]  # wider than a phone: it scrolls sideways inside the box
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    node = page.locator('#dag .node[data-subtask="s12"]')
    expect(node.locator("title")).to_have_text(
        "s12: Summarize chapter s12 of the annual report (pending)"
    )
    expect(node.locator(".node-label")).to_have_text(re.compile(r"^Summarize chapter s12.*…$"))
    shots.take(page, "dag-24-subtasks")


def test_history_search_is_in_the_url_and_back_and_forward_work(
    office: Office, signed_in: BrowserSession
) -> None:
    page = signed_in.open().page
    sign_in(page, office.key)
    page.goto("/ui/tasks")
    page.get_by_label("Search tasks").fill("email")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/ui/tasks\?q=email&status=&kind=$"))
    expect(page.locator("#history tbody tr")).to_have_count(1)
    page.get_by_label("Search tasks").fill("")
    page.get_by_label("Status").select_option("dead_lettered")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"\?q=&status=dead_lettered&kind=$"))
    expect(page.locator("#history")).to_contain_text("notes/todo.txt")
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?q=email&status=&kind=$"))
    expect(page.get_by_label("Search tasks")).to_have_value("email")
    page.go_forward()
    expect(page.get_by_label("Status")).to_have_value("dead_lettered")
    bookmarked = signed_in.open().page  # the same URL in a new tab shows the same search
    bookmarked.goto(page.url)
    expect(bookmarked.locator("#history tbody tr")).to_have_count(1)
    expect(bookmarked.locator("#history")).to_contain_text("notes/todo.txt")


@pytest.mark.parametrize("width", (390, 1366))
def test_the_dark_theme_follows_the_system_setting(
    width: int, browser: Browser, office: Office, shots: Screenshots
) -> None:
    context = browser.new_context(
        base_url=office.live.url, viewport={"width": width, "height": 900}, color_scheme="dark"
    )
    try:
        page = context.new_page()
        sign_in(page, office.key)
        for name, path in office.pages().items():
            page.goto(path)
            shots.take(page, f"dark-{name}")
            colours = page.evaluate(
                """() => [getComputedStyle(document.documentElement).backgroundColor,
                          getComputedStyle(document.querySelector('.card')).backgroundColor,
                          getComputedStyle(document.querySelector('.card')).color]"""
            )
            assert colours == ["rgb(17, 21, 29)", "rgb(26, 31, 43)", "rgb(228, 233, 242)"], name
        light = context.browser.new_page(base_url=office.live.url) if context.browser else None
        assert light is not None
        light.goto("/ui/signin")
        assert (
            light.evaluate("getComputedStyle(document.documentElement).backgroundColor")
            == "rgb(245, 247, 250)"
        )
        light.close()
    finally:
        context.close()


def test_the_stats_page_draws_charts_on_the_server_and_counts_unsupported_apart(
    office: Office, signed_in: BrowserSession, shots: Screenshots
) -> None:
    tab = signed_in.open()
    page = tab.page
    sign_in(page, office.key)
    page.goto("/ui/stats?days=")
    expect(page.locator("#stat-tasks dd")).to_have_text("8")  # one still running
    # 5 completed, 1 dead-lettered, 1 unsupported: 5 / 6, the unsupported one apart.
    expect(page.locator("#stat-unsupported dd")).to_have_text("1")
    expect(page.locator("#stat-success dd")).to_have_text("83%")
    expect(page.locator("#chart-outcomes svg rect")).to_have_count(6)  # 4 days, 3 outcomes today
    expect(page.locator("#chart-success svg circle")).to_have_count(4)
    expect(page.locator("#tool-stats")).to_contain_text("read_file")
    expect(page.locator("#stat-cost dd")).to_have_text("$0.0605")
    assert page.locator("script").count() == 0
    shots.take(page, "stats")
    page.get_by_label("Submitted in the last").select_option("7")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/ui/stats\?days=7$"))
    assert tab.errors == []


def test_office_stats_html_writes_the_same_page_as_one_file(
    office: Office, browser: Browser, shots: Screenshots, tmp_path: Path
) -> None:
    out = tmp_path / "stats.html"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFFICE_")}
    env |= {
        "OFFICE_HOME": str(office.live.settings.home),
        "OFFICE_DATABASE_URL": office.live.settings.resolved_database_url,
        "COLUMNS": "120",
    }
    done = subprocess.run(
        [*OFFICE, "stats", "--html", str(out)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"wrote {out}" in " ".join(done.stdout.split())
    html = out.read_text()
    assert "<script" not in html and "<link" not in html  # nothing to fetch, nothing to run
    assert "src=" not in html
    assert html.count("<svg") == 7
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 900})
        requests: list[str] = []
        page.on("request", lambda r, seen=requests: seen.append(r.url))
        try:
            page.goto(out.as_uri())
            expect(page.locator("#stat-success dd")).to_have_text("83%")
            expect(page.locator("#stat-unsupported dd")).to_have_text("1")
            expect(page.locator("#chart-outcomes svg rect")).to_have_count(6)
            assert fits(page)["scroll"] == 0
            shots.take(page, f"stats-file-{width}")
        finally:
            page.close()
        assert requests == [out.as_uri()]

    refused = subprocess.run(
        [*OFFICE, "stats", "--html", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0
    assert "is a directory" in refused.stderr + refused.stdout
