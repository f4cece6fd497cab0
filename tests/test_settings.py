"""Settings: environment beats the YAML file, which beats defaults; bad values are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from intelligent_office.errors import ConfigError
from intelligent_office.settings import load_settings


def test_defaults_put_the_database_under_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OFFICE_HOME", str(tmp_path))
    monkeypatch.delenv("OFFICE_DATABASE_URL", raising=False)
    assert load_settings().resolved_database_url == f"sqlite:///{tmp_path / 'office.db'}"


def test_yaml_file_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "office.yaml"
    config.write_text("max_concurrent_runs: 7\nlease_seconds: 5\n")
    monkeypatch.delenv("OFFICE_MAX_CONCURRENT_RUNS", raising=False)
    monkeypatch.setenv("OFFICE_LEASE_SECONDS", "9")
    settings = load_settings(config)
    assert (settings.max_concurrent_runs, settings.lease_seconds) == (7, 9.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("max_concurrent_runs: [oops\n", "line 2: not valid YAML"),
        ("- a\n- b\n", "expected a mapping"),
        ("max_concurrent_runs: 0\n", "setting max_concurrent_runs:"),
        ("databse_url: x\n", "setting databse_url: Extra inputs are not permitted"),
    ],
)
def test_bad_config_file_names_the_problem(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "office.yaml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings(config)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "absent.yaml")
