"""The garbage collector while `office` loads: held back, then back at CPython's pace, with
what loaded frozen, once a command starts its work. Each case runs the real entry point in
a fresh interpreter: pytest's own collector is never touched."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

from intelligent_office.cli import collector

# Runs `office ARGS` as the console script does, then writes the collector's state.
_PROBE = """
import gc, json, sys
from intelligent_office.cli.entry import main
out = sys.argv.pop(1)
try:
    main()
    code = 0
except SystemExit as stop:
    code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
with open(out, "w") as f:
    json.dump({"code": code, "threshold": gc.get_threshold(), "frozen": gc.get_freeze_count(),
               "enabled": gc.isenabled()}, f)
"""


def _office(args: list[str], tmp_path: Path) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFFICE_")}
    env["OFFICE_HOME"] = str(tmp_path / "home")
    for key in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        env.pop(key, None)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    out = tmp_path / "collector.json"
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(out), *args],
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.exists(), done.stderr
    report: dict[str, object] = json.loads(out.read_text())
    assert report["code"] == 0, done.stdout + done.stderr
    return report


def test_a_task_run_collects_as_usual_once_loaded_with_what_loaded_frozen(
    tmp_path: Path,
) -> None:
    report = _office(["run", "What is 2+2?"], tmp_path)
    assert report["enabled"] is True
    assert report["threshold"] == [700, *gc.get_threshold()[1:]]
    assert isinstance(report["frozen"], int) and report["frozen"] > 100_000


def test_a_short_command_still_collects_at_the_raised_threshold(tmp_path: Path) -> None:
    report = _office(["--help"], tmp_path)
    assert report["enabled"] is True
    assert report["threshold"] == [collector.LOADING_THRESHOLD, *gc.get_threshold()[1:]]
    assert report["frozen"] == 0


def test_loaded_without_hold_back_changes_nothing() -> None:
    before = (gc.get_threshold(), gc.get_freeze_count())
    collector.loaded()  # as in-process callers (tests) of the commands do
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
