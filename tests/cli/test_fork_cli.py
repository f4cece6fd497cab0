"""`office steps` and `office fork` in a real process, on a real SQLite store."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def office(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OFFICE_HOME": str(home), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "intelligent_office.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_a_task_is_forked_at_a_listed_step_and_resumed_here(tmp_path: Path) -> None:
    home = tmp_path / "home"
    workspace = REPO / "examples" / "sample_app"
    first = office(
        home, "run", "calculate 2+3 and then calculate 4*5", "--workspace", str(workspace)
    )
    assert first.returncode == 0, first.stderr
    task_id = next(
        word
        for line in office(home, "tasks").stdout.splitlines()
        for word in line.split()
        if len(word) == 32
    )

    listing = office(home, "steps", task_id)
    assert listing.returncode == 0, listing.stderr
    rows = [line for line in listing.stdout.splitlines() if "node/calculate" in line]
    assert len(rows) == 2
    number = rows[1].split("│")[1].strip()
    # Each step's measured start (a UTC time of day), how long it took, and its input.
    cells = [[cell.strip() for cell in row.split("│")] for row in rows]
    assert all(re.fullmatch(r"\d\d:\d\d:\d\d\.\d{3}", row[4]) for row in cells), rows
    assert all(re.fullmatch(r"\d+\.\d{3} s", row[5]) for row in cells), rows
    listed = office(home, "steps", task_id, "--json")
    assert listed.returncode == 0, listed.stderr
    calls = [step for step in json.loads(listed.stdout) if step["activity"] == "office.run_step"]
    assert "2+3" in json.dumps(calls[0]["input"]) and "4*5" in json.dumps(calls[1]["input"])
    assert all(call["started_at"] < call["recorded_at"] for call in calls)

    fork = office(
        home,
        "fork",
        task_id,
        "--at",
        number,
        "--input",
        '{"inputs": {"expression": "6*7"}}',
        "--resume",
    )
    assert fork.returncode == 0, fork.stderr
    assert "earlier steps will be replayed" in fork.stdout and "completed" in fork.stdout
    new_task = fork.stdout.split("new task ")[1].split(",")[0].strip()
    shown = office(home, "show", new_task)
    assert "forked from task " + task_id in shown.stdout
    assert "6*7 = 42" in shown.stdout


def test_bad_fork_input_is_one_readable_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = office(home, "fork", "nope", "--at", "1")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "office: no run 'nope': `office runs` lists the runs"
    ]
