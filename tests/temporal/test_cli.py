"""`office worker --runtime temporal` with no server to talk to ends with one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from intelligent_office.runtime.temporal.dev_server import free_port
from tests.cli.test_cli import office


def test_a_worker_with_no_server_says_how_to_get_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OFFICE_DATABASE_URL", f"sqlite:///{tmp_path / 'office.db'}")
    monkeypatch.setenv("OFFICE_HOME", str(tmp_path / "home"))
    address = f"127.0.0.1:{free_port()}"
    command = ["worker", "--runtime", "temporal", "--address", address]
    code, _, err = office(command, capsys, monkeypatch)
    assert code == 2
    assert err.strip().splitlines() == [
        f"office: no Temporal server answered at {address}: start one with"
        " `office temporal-dev` or pass --address HOST:PORT"
    ]
