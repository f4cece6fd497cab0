"""Eval tests: a suite written per test, the sample app as the workspace, a store of their own."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE_APP = REPO / "examples" / "sample_app"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty database for this test: OFFICE_DATABASE_URL and OFFICE_HOME point at it."""
    url = f"sqlite:///{tmp_path / 'office.db'}"
    monkeypatch.setenv("OFFICE_DATABASE_URL", url)
    monkeypatch.setenv("OFFICE_HOME", str(tmp_path / "home"))
    return url


def write_suite(folder: Path, text: str, name: str = "suite.yaml") -> Path:
    """A suite file in `folder`."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
