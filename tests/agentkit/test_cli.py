"""`office workflows`: an invalid file fails with one line naming the problem (exit 2); the
daily digest example runs offline on its documents."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from intelligent_office.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "workflows"

VALID = """
name: wf
agents:
  - {name: a, archetype: researcher}
  - {name: b, archetype: writer, dependencies: [a]}
"""


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def office(*args: str, cwd: Path | None = None) -> Result:
    """The real `office` entry point, in this process (a subprocess costs seconds of imports)."""
    saved_argv, saved_cwd = sys.argv, Path.cwd()
    out, err = io.StringIO(), io.StringIO()
    sys.argv = ["office", *args]
    code = 0
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        sys.argv = saved_argv
        os.chdir(saved_cwd)
    return Result(code, out.getvalue(), err.getvalue())


def office_process(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "intelligent_office.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            VALID.replace("{name: a, archetype: researcher}", "{name: a, dependencies: [b]}"),
            "cycle: a -> b -> a; remove one of these dependencies to break it",
        ),
        (
            VALID.replace("dependencies: [a]", "dependencies: [ghost]"),
            "agent 'b' depends on unknown agent 'ghost': declare it or remove the dependency"
            " (agents: a, b)",
        ),
        (
            VALID + 'schedule: "61 * * * *"\n',
            "schedule: bad cron expression '61 * * * *': use five fields, minute hour day month"
            " weekday, e.g. '0 7 * * *'",
        ),
        (
            VALID + "pattern: {kind: reflective, agent: a, critic: judge}\n",
            "reflective pattern names unknown agent 'judge': declare it under agents"
            " (agents: a, b)",
        ),
        (VALID.replace("archetype: writer", "archetype: poet"), "agents.1.archetype: Input"),
    ],
    ids=["cycle", "unknown-agent", "bad-cron", "pattern-unknown-agent", "bad-archetype"],
)
def test_an_invalid_workflow_fails_with_one_line_naming_the_problem(
    tmp_path: Path, body: str, problem: str
) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text(body)

    result = office("workflows", "validate", str(path))

    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"office: {path}: ")
    assert problem in lines[0]


def test_a_valid_workflow_validates(tmp_path: Path) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text(VALID)

    result = office("workflows", "validate", str(path))

    assert result.returncode == 0
    assert result.stdout.strip() == f"{path}: ok: workflow wf, 2 agents, dag"


def test_daily_digest_runs_offline_on_local_documents(tmp_path: Path) -> None:
    result = office(
        "workflows", "run", "daily_digest", "--dir", str(EXAMPLES), "--json", cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    run = json.loads(result.stdout)
    assert run["status"] == "completed"
    assert {a["model"] for a in run["agents"].values()} == {"offline"}
    documents = " ".join(p.read_text() for p in (EXAMPLES / "digest_docs").glob("*.md"))
    sentences = [s.strip() for s in run["output"].split(". ") if s.strip()]
    assert len(sentences) >= 3
    for sentence in sentences:  # extractive: nothing invented
        assert sentence.rstrip(".") in documents


def test_list_shows_the_digest_with_its_schedule() -> None:
    result = office("workflows", "list", "--dir", str(EXAMPLES))

    assert result.returncode == 0
    assert "daily_digest" in result.stdout and "0 7 * * *" in result.stdout
    assert "release" not in result.stdout  # a run-workflow graph, not an agent workflow


def test_the_installed_command_exits_2_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text(VALID.replace("dependencies: [a]", "dependencies: [ghost]"))

    result = office_process("workflows", "validate", str(path))

    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "unknown agent 'ghost'" in result.stderr
