"""Scaffolding for tests that run `office` as real processes on one SQLite file.

The fixtures (imported by the test modules that use them) give each test its own
database and OFFICE_HOME in the environment the processes inherit, a workspace to run
in, and the store those processes write; the helpers wait for an approval and decide it
as a person does, with `office approve` or `office deny` in another process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from intelligent_office.store import ApprovalRecord, Store


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of the test's `office` processes: its own database and home."""
    return os.environ | {
        "OFFICE_DATABASE_URL": f"sqlite:///{tmp_path / 'office.db'}",
        "OFFICE_HOME": str(tmp_path / "home"),
    }


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The directory the processes run in (and write to)."""
    path = tmp_path / "workspace"
    path.mkdir()
    return path


@pytest.fixture
def store(env: dict[str, str]) -> Iterator[Store]:
    """The store the processes write, opened by the test to look at it."""
    opened = Store.open(env["OFFICE_DATABASE_URL"])
    yield opened
    opened.close()


def pending(store: Store, within: float = 60.0) -> ApprovalRecord:
    """The first pending approval, once a process asked for one."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        waiting = store.approvals.list(status="pending")
        if waiting:
            return waiting[0]
        time.sleep(0.05)
    raise AssertionError("no approval was requested")


def decide(verb: str, approval_id: str, *args: str, env: dict[str, str], cwd: Path) -> None:
    """`office approve ID` or `office deny ID ...` in its own process; it must succeed."""
    decided = subprocess.run(
        [sys.executable, "-m", "intelligent_office.cli", verb, approval_id, *args],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert decided.returncode == 0, decided.stderr
