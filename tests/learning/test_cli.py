"""`office learn` and `office prompts` through the `office` command, on a SQLite file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from intelligent_office.cli.main import main
from tests.learning.conftest import SRC_LAYOUT, open_office, write_tree


def office(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["office", *args])
    code: object = 0
    try:
        main()
    except SystemExit as exited:
        code = exited.code
    out, err = capsys.readouterr()
    return (code if isinstance(code, int) else 1), out, err


async def test_learn_report_guidance_and_prompt_versions_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("OFFICE_HOME", str(home))
    monkeypatch.setenv("OFFICE_MEMORY__ENABLED", "false")
    opened = open_office(home)
    await opened.run(
        "Trace the call sequence from main() to helper() in proj/pkg",
        write_tree(tmp_path / "ws", SRC_LAYOUT),
    )
    opened.store.close()

    code, out, err = office(["learn", "report"], capsys, monkeypatch)
    assert code == 0, err
    assert "trace_calls" in out and "run `office learn`" in out
    code, out, err = office(["learn", "--json"], capsys, monkeypatch)
    assert code == 0, err
    [learned] = json.loads(out)
    assert learned["new"] and "root the trace at src" in learned["text"]
    gid = learned["guidance_id"]
    code, out, _ = office(["learn", "guidance", "disable", gid], capsys, monkeypatch)
    assert code == 0 and f"guidance {gid} is disabled" in out
    code, out, _ = office(["learn", "guidance", "list", "--json"], capsys, monkeypatch)
    assert [(g["id"], g["status"]) for g in json.loads(out)] == [(gid, "disabled")]
    code, out, _ = office(["learn", "guidance", "delete", gid], capsys, monkeypatch)
    assert code == 0
    code, out, _ = office(["learn", "guidance", "delete", gid], capsys, monkeypatch)
    assert code != 0  # gone: the second delete names `office learn guidance list`

    prompt = tmp_path / "plan.txt"
    prompt.write_text("You plan one subtask as a DAG of tool calls. Be brief.")
    code, out, err = office(
        ["prompts", "candidate", "planner", "--file", str(prompt)], capsys, monkeypatch
    )
    assert code == 0, err
    assert "candidate planner-v2 (parent planner-v1)" in out
    code, _, err = office(["prompts", "promote", "planner-v2"], capsys, monkeypatch)
    assert code != 0 and "no passing evaluation" in err
    code, out, _ = office(["prompts", "promote", "planner-v2", "--force"], capsys, monkeypatch)
    assert "planner-v2 is now the current planner version" in out
    code, out, _ = office(["prompts", "rollback", "planner"], capsys, monkeypatch)
    assert "planner-v1 is current again; planner-v2 retired" in out
    code, out, _ = office(["prompts", "list", "--tier", "planner"], capsys, monkeypatch)
    assert "planner-v1" in out and "retired" in out
