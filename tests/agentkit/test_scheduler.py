"""The cron scheduler fires workflows when due, on a clock the test moves, and notices new,
changed and removed files without a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from intelligent_office import Office
from intelligent_office.agentkit import RunStatus
from intelligent_office.agentkit.scheduler import CronScheduler, next_time

FILE = """
name: {name}
schedule: "{cron}"
input: Tides rise twice a day because of the moon, and sailors plan around them.
agents:
  - {{name: brief, archetype: summarizer}}
"""


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_next_time_follows_the_cron_expression() -> None:
    start = datetime(2026, 11, 23, 10, 2, tzinfo=UTC)
    assert next_time("*/5 * * * *", start) == datetime(2026, 11, 23, 10, 5, tzinfo=UTC)
    assert next_time("0 7 * * *", start) == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


async def test_due_workflows_run_and_files_are_reread(tmp_path: Path) -> None:
    clock = Clock()
    (tmp_path / "tides.yaml").write_text(FILE.format(name="tides", cron="*/5 * * * *"))
    scheduler = CronScheduler(tmp_path, Office(), clock=clock, poll_seconds=600)

    assert await scheduler.tick() == []  # first sight: next time is 10:05
    assert scheduler.seconds_to_next() == 300

    clock.now += timedelta(minutes=5)
    runs = await scheduler.tick()
    assert [(r.workflow, r.status) for r in runs] == [("tides", RunStatus.COMPLETED)]
    assert "moon" in (runs[0].output or "")
    assert await scheduler.tick() == []  # not again until 10:10

    (tmp_path / "hourly.yaml").write_text(FILE.format(name="hourly", cron="0 * * * *"))
    (tmp_path / "tides.yaml").unlink()
    clock.now = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
    assert await scheduler.tick() == []
    clock.now = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    assert [r.workflow for r in await scheduler.tick()] == ["hourly"]


async def test_an_invalid_file_is_skipped_not_fatal(tmp_path: Path) -> None:
    clock = Clock()
    (tmp_path / "bad.yaml").write_text(FILE.format(name="bad", cron="61 * * * *"))
    (tmp_path / "good.yaml").write_text(FILE.format(name="good", cron="* * * * *"))
    scheduler = CronScheduler(tmp_path, Office(), clock=clock)

    await scheduler.tick()
    clock.now += timedelta(minutes=1)
    assert [r.workflow for r in await scheduler.tick()] == ["good"]
