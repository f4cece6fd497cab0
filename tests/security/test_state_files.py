"""The service's own files out of reach: the state directory 0700, the database 0600, and no
workspace that holds either or the settings file (issue 16, part 3)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from intelligent_office.api import create_app
from intelligent_office.cli.context import open_store
from intelligent_office.cli.main import main
from intelligent_office.errors import UserError
from intelligent_office.settings import load_settings
from tests.api.conftest import running


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _office(*args: str, cwd: Path, env: dict[str, str], timeout: float = 60.0) -> tuple[int, str]:
    """`office ARGS` in a child process: its exit code and what it wrote to stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "intelligent_office.cli", *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return done.returncode, done.stderr


def test_the_state_directory_is_0700_and_the_database_and_its_wal_0600(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = open_store(load_settings(None, home=home))
    try:
        store.api_keys.create(user_id="alice", role="admin")  # a write: the WAL and shm exist
        database = home / "office.db"
        assert _mode(home) == 0o700
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            assert _mode(path) == 0o600, path
    finally:
        store.close()


def test_an_older_readable_state_directory_and_database_are_tightened(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = open_store(load_settings(None, home=home))
    store.close()
    os.chmod(home, 0o755)
    os.chmod(home / "office.db", 0o644)

    store = open_store(load_settings(None, home=home))
    store.close()
    assert (_mode(home), _mode(home / "office.db")) == (0o700, 0o600)


def test_the_state_directory_of_a_served_app_is_0700(tmp_path: Path) -> None:
    settings = load_settings(None, home=tmp_path / "home")
    with running(settings) as live:
        assert live.client().get("/healthz").status_code == 200
        assert _mode(tmp_path / "home") == 0o700
        assert _mode(tmp_path / "home" / "office.db") == 0o600


def test_office_run_in_a_directory_holding_the_state_directory_is_one_line(
    tmp_path: Path,
) -> None:
    (tmp_path / "notes.md").write_text("hello")
    code, stderr = _office(
        "run", "List the files", cwd=tmp_path, env={"OFFICE_HOME": str(tmp_path / ".office")}
    )
    assert code != 0
    assert stderr.strip().count("\n") == 0, stderr
    assert f"workspace {tmp_path} contains the service's state directory" in stderr
    assert not (tmp_path / ".office" / "office.db").exists()  # refused before anything opened


@pytest.mark.parametrize("holds", ["database", "config"])
def test_office_run_refuses_a_workspace_holding_the_database_or_the_settings_file(
    tmp_path: Path, holds: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = tmp_path / "project"
    workspace.mkdir()
    config = (workspace if holds == "config" else tmp_path) / "office.yaml"
    config.write_text(f"home: {tmp_path / 'home'}\n")
    database = (workspace if holds == "database" else tmp_path) / "state" / "office.db"
    monkeypatch.setenv("OFFICE_CONFIG_FILE", str(config))
    monkeypatch.setenv("OFFICE_DATABASE_URL", f"sqlite:///{database}")
    # The CLI's entry point in this process (a child would spend its time importing).
    monkeypatch.setattr(
        sys, "argv", ["office", "run", "List the files", "--workspace", str(workspace)]
    )
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code != 0
    stderr = capsys.readouterr().err
    what = "database file" if holds == "database" else "configuration file"
    assert f"contains the service's {what}" in stderr and stderr.strip().count("\n") == 0
    assert not database.exists()


def test_a_workspace_root_holding_the_state_directory_stops_the_server(tmp_path: Path) -> None:
    settings = load_settings(None, home=tmp_path / "home", workspace_roots=[tmp_path])
    with pytest.raises(UserError, match="workspace root .* contains the service's state"):
        create_app(settings)

    config = tmp_path / "office.yaml"
    config.write_text(f"home: {tmp_path / 'home'}\nworkspace_roots: [{tmp_path}]\n")
    code, stderr = _office("serve", "--port", "1", "--config", str(config), cwd=tmp_path, env={})
    assert code != 0 and "contains the service's state directory" in stderr
    assert stderr.strip().count("\n") == 0, stderr


def test_an_empty_database_url_names_the_default_database_file(tmp_path: Path) -> None:
    """An empty OFFICE_DATABASE_URL means the default database (`resolved_database_url`):
    the state files name that file too, as they did when they parsed the resolved URL."""
    from intelligent_office.state_files import database_file, state_files

    settings = load_settings(home=tmp_path / "home", database_url="")
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'home' / 'office.db'}"
    assert database_file(settings) == tmp_path / "home" / "office.db"
    assert state_files(settings)["database file"] == (tmp_path / "home" / "office.db").resolve()
