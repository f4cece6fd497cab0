"""The web UI against the real app on 127.0.0.1, in Debian's Chromium driven by Playwright.

Chromium is `/usr/bin/chromium` from Debian's `chromium` package (`make setup` installs
it); Playwright only drives it and never downloads a browser of its own. Without it the
browser tests fail with a message saying so, unless OFFICE_SKIP_BROWSER=1 skips them.
Screenshots go to test-artifacts/ui/ (ignored by git), one set per test, and a
screenshot of the page is saved there whenever a browser test fails.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from tests.api import conftest as api_fixtures
from tests.api.conftest import SAMPLE_APP, LiveServer

from intelligent_office.settings import Settings, load_settings

CHROMIUM = Path(os.environ.get("OFFICE_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"

live = api_fixtures.live  # the real app on uvicorn, here on the settings below


USERS = ("alice", "bob", "carol", "root")
"""The users of the UI tests: each one's own directory holds a copy of examples/sample_app."""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """alice's own directory under the workspace root: a copy of sample_app is in it."""
    return tmp_path / "workspace" / "alice"


@pytest.fixture
def api_settings(tmp_path: Path, workspace: Path) -> Settings:
    """The `live` server's settings: each user's own directory (their default workspace)
    starts with a copy of sample_app, so the trace task works in it."""
    for user in USERS:
        shutil.copytree(SAMPLE_APP, workspace.parent / user / "sample_app")
    return load_settings(
        None,
        home=tmp_path / "home",
        database_url=f"sqlite:///{tmp_path / 'office.db'}",
        workspace_roots=[workspace.parent],
    )


def ui_client(live: LiveServer, key: str | None = None) -> httpx.Client:
    """An httpx client that behaves like the UI's browser: the session cookie and this
    server's Origin on every request, redirects not followed."""
    cookies = {"office_key": key} if key is not None else None
    client = httpx.Client(
        base_url=live.url, headers={"Origin": live.url}, cookies=cookies, timeout=30.0
    )
    live.clients.append(client)
    return client


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, for one test module.

    Not for the session: Playwright's sync API keeps an event loop marked running on
    this thread while it is open, and later asyncio tests would find it there.
    """
    if os.environ.get("OFFICE_SKIP_BROWSER") == "1":
        pytest.skip("OFFICE_SKIP_BROWSER=1: the browser tests are skipped")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: run `make setup` (it installs Debian's"
            " chromium package; or `apt-get install chromium`). OFFICE_SKIP_BROWSER=1 skips"
            " the browser tests.",
            pytrace=False,
        )
    # Chromium's own sandbox needs user namespaces it cannot have as root in a container.
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Screenshots:
    """Numbered full-page screenshots of one test, kept under test-artifacts/ui/<test>/."""

    folder: Path
    taken: list[Path] = field(default_factory=list)

    def take(self, page: Page, label: str) -> Path:
        path = self.folder / f"{len(self.taken) + 1:02d}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Iterator[Screenshots]:
    """Where this test's screenshots go (emptied first, so they are this run's)."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    kept = Screenshots(folder)
    yield kept
    print(f"\nscreenshots: {folder} ({len(kept.taken)})")


@dataclass
class Tab:
    """A browser page, the errors its console reported (CSP violations among them) and the
    URLs it requested."""

    page: Page
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@dataclass
class BrowserSession:
    """One browser context on the live server (one cookie jar) and its tabs."""

    context: BrowserContext
    tabs: list[Tab] = field(default_factory=list)

    def open(self) -> Tab:
        """A new tab whose console errors are collected."""
        tab = Tab(self.context.new_page())
        tab.page.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
        tab.page.on("pageerror", lambda error: tab.errors.append(f"uncaught: {error}"))
        tab.page.on("request", lambda r: tab.requests.append(r.url))
        tab.page.on(
            "response",
            lambda r: tab.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        self.tabs.append(tab)
        return tab


@pytest.fixture
def ui(
    browser: Browser, live: LiveServer, shots: Screenshots, request: pytest.FixtureRequest
) -> Iterator[BrowserSession]:
    """A fresh browser context on the live server; a failing test leaves `failed.png`."""
    context = browser.new_context(base_url=live.url, viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15_000)
    session = BrowserSession(context)
    try:
        yield session
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed and session.tabs:
            session.tabs[0].page.screenshot(path=str(shots.folder / "failed.png"), full_page=True)
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test item, so fixtures can tell a failed test."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
