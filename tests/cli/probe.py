"""`office ARGS` run as the console script runs it, in a fresh interpreter, with a report
on the process it ran in (the modules it loaded, the garbage collector's state)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Probed", "probe"]

# Runs the entry point, then writes the exit code and the report expression's value.
# `started` lists the command line of every process the command started (an audit hook).
_PROBE = """
import gc, json, sys
started = []
def _audit(event, args):
    if event == "subprocess.Popen":
        started.append(" ".join(str(part) for part in args[1]))
sys.addaudithook(_audit)
from intelligent_office.cli.entry import main
out, report = sys.argv.pop(1), sys.argv.pop(1)
try:
    main()
    code = 0
except SystemExit as stop:
    code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
with open(out, "w") as f:
    json.dump({"code": code, **eval(report)}, f)
"""


@dataclass(frozen=True)
class Probed:
    """How the command ended, what it printed, and the report on its process."""

    code: int
    output: str
    report: dict[str, Any]


def probe(args: list[str], *, report: str, home: Path, cwd: Path, **settings: str) -> Probed:
    """Run `office ARGS` with OFFICE_HOME=home (no provider configured) in a fresh interpreter.

    `report` is a Python expression (a dict) evaluated in that process after the command,
    with `gc` and `sys` imported and `started` the command lines of the processes it
    started; `settings` become `OFFICE_<NAME>` variables.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFFICE_")}
    env |= {"OFFICE_HOME": str(home), "COLUMNS": "120"}
    env |= {f"OFFICE_{name.upper()}": value for name, value in settings.items()}
    for key in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        env.pop(key, None)  # no provider configured, and none to find
    out = home.parent / f"probe-{len(list(home.parent.glob('probe-*')))}.json"
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(out), report, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.exists(), done.stderr
    written: dict[str, Any] = json.loads(out.read_text())
    return Probed(written.pop("code"), done.stdout + done.stderr, written)
