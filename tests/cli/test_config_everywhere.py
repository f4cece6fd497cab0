"""Every command takes --config, and `office tools` lists what `GET /tools` lists."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import typer.main
import yaml

from intelligent_office.cli.main import app
from intelligent_office.settings import load_settings
from tests.api.conftest import running
from tests.tools.mcp.conftest import words_server


def _commands(
    command: click.Command, name: str, ctx: click.Context
) -> Iterator[tuple[str, click.Command]]:
    """Every command, and every group that does something when run alone (`office tools`)."""
    if hasattr(command, "list_commands"):
        if getattr(command, "invoke_without_command", False) and name != "office":
            yield name, command
        for sub in command.list_commands(ctx):
            found = command.get_command(ctx, sub)
            assert found is not None
            yield from _commands(found, f"{name} {sub}", ctx)
    else:
        yield name, command


def test_every_command_accepts_config() -> None:
    root = typer.main.get_command(app)
    commands = dict(_commands(root, "office", click.Context(root)))
    assert {"office tools", "office schema", "office run", "office workflows validate"} <= set(
        commands
    )
    missing = [
        name
        for name, command in commands.items()
        if "--config" not in {opt for param in command.params for opt in getattr(param, "opts", [])}
    ]
    assert missing == []


def _office(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "intelligent_office.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_office_tools_lists_the_http_and_mcp_tools_get_tools_lists(tmp_path: Path) -> None:
    config = tmp_path / "office.yaml"
    settings_file = {
        "home": str(tmp_path / "home"),
        "database_url": f"sqlite:///{tmp_path / 'office.db'}",
        "http_allow": ["127.0.0.1:9"],
        "mcp_servers": [words_server().model_dump(mode="json")],
    }
    config.write_text(yaml.safe_dump(settings_file))
    listed = _office("tools", "--json", "--config", str(config))
    assert listed.returncode == 0, listed.stderr
    names = [tool["name"] for tool in json.loads(listed.stdout)]
    assert "http_request" in names and "words.reverse" in names
    with running(load_settings(config)) as server:
        served = server.client(server.key()).get("/tools")
        assert served.status_code == 200
        assert names == [tool["name"] for tool in served.json()]


def test_office_schema_takes_config_and_reports_a_bad_file(tmp_path: Path) -> None:
    config = tmp_path / "office.yaml"
    config.write_text(yaml.safe_dump({"home": str(tmp_path / "home")}))
    written = _office("schema", str(tmp_path / "schemas"), "--config", str(config))
    assert written.returncode == 0, written.stderr
    assert (tmp_path / "schemas" / "task.schema.json").is_file()
    config.write_text("no_such_setting: 1\n")
    refused = _office("schema", str(tmp_path / "again"), "--config", str(config))
    assert refused.returncode != 0
    assert "no_such_setting" in refused.stderr
