"""The garbage collector while `office` loads: held back, then back at CPython's pace, with
what loaded frozen, once a command starts its work. Each case runs the real entry point in
a fresh interpreter: pytest's own collector is never touched."""

from __future__ import annotations

import gc
from pathlib import Path

from intelligent_office.cli import collector
from tests.cli.probe import probe

# The collector's state in the command's process once it has run.
_STATE = (
    '{"threshold": gc.get_threshold(), "frozen": gc.get_freeze_count(), "enabled": gc.isenabled()}'
)


def _office(args: list[str], tmp_path: Path) -> dict[str, object]:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    done = probe(args, report=_STATE, home=tmp_path / "home", cwd=work)
    assert done.code == 0, done.output
    return done.report


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


# Cyclic garbage left when the interpreter ends: collected (its finalizer runs) unless
# `freeze_at_exit` set it aside after the other exit handlers, which still run.
_AT_EXIT = """
import atexit, sys
from intelligent_office.cli import collector
if sys.argv[1] == "freeze":
    collector.freeze_at_exit()
atexit.register(print, "handler ran")
class Cycle:
    def __del__(self):
        print("finalized")
cycle = Cycle()
cycle.me = cycle
del cycle
import gc
gc.disable()
"""


def test_freeze_at_exit_skips_the_last_collection_after_the_exit_handlers() -> None:
    import subprocess
    import sys

    def run(mode: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", _AT_EXIT, mode],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout.splitlines()

    assert run("usual") == ["handler ran", "finalized"]
    assert run("freeze") == ["handler ran"]
