"""`office run --criterion/--check` end to end, and `office show` listing each criterion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import office


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "notes").mkdir(parents=True)
    (root / "notes" / "todos.txt").write_text("buy milk\nTODO: write the report\n")
    return root


def test_run_with_checks_and_show_lists_them(
    database: str, notes: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = [
        "run",
        "Read the file notes/todos.txt",
        "--workspace",
        str(notes),
        "--check",
        "file:notes/todos.txt",
        "--check",
        "command:grep -q milk notes/todos.txt",
        "--criterion",
        "mentions the report",
        "--json",
    ]
    code, out, _ = office(args, capsys, monkeypatch)
    assert code == 0
    body = json.loads(out)
    review = body["result"]["subtasks"]["s1"]["iterations"][0]["review"]
    assert [(c["criterion"]["kind"], c["passed"]) for c in review["criteria"]] == [
        ("text", True),
        ("file", True),
        ("command", True),
    ]
    code, out, _ = office(["show", body["task_id"]], capsys, monkeypatch)
    assert code == 0
    assert "acceptance criteria" in out
    assert "command: grep -q milk" in out and "exit code 0" in out


def test_a_failing_check_dead_letters_the_run_with_exit_1(
    database: str, notes: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["run", "Read the file notes/todos.txt", "--workspace", str(notes)]
    code, out, _ = office([*args, "--check", "file:out/summary.md"], capsys, monkeypatch)
    assert code == 1
    assert "acceptance checks failed: file: out/summary.md (does not exist)" in " ".join(
        out.split()
    )


@pytest.mark.parametrize(
    ("check", "message"),
    [
        ("words only", "start it with regex:, file: or command:"),
        ("regex:(open", "does not compile"),
        ("file:", "bad --check 'file:'"),
    ],
)
def test_a_bad_check_ends_with_one_line_and_exit_2(
    database: str,
    notes: Path,
    check: str,
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args = ["run", "Read the file notes/todos.txt", "--workspace", str(notes), "--check", check]
    code, _, err = office(args, capsys, monkeypatch)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
