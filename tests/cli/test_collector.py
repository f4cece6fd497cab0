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
