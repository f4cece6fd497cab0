"""Runs agent workflows on their cron `schedule`, re-reading the folder so no restart is needed.

Each pass reads the workflow files, fires every workflow whose next time has come, and
sleeps until the next one is due (at most `poll_seconds`, so new, changed and removed
files are noticed). A run that fails is logged; the scheduler goes on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from intelligent_office.agentkit.files import discover, load_agent_workflow
from intelligent_office.agentkit.workflow import Workflow
from intelligent_office.agentkit.workflow_run import WorkflowRun
from intelligent_office.errors import WorkflowFileError

if TYPE_CHECKING:
    from intelligent_office.settings import Settings

__all__ = ["CronScheduler", "WorkflowStarter", "agent_scheduler", "next_time"]

log = logging.getLogger(__name__)


def next_time(schedule: str, after: datetime) -> datetime:
    """The first time after `after` that the cron expression `schedule` names."""
    from croniter import croniter  # loaded when a schedule is first read

    value: datetime = croniter(schedule, after).get_next(datetime)
    return value


def _utc_now() -> datetime:
    return datetime.now(UTC)


class WorkflowStarter(Protocol):
    """What runs a due workflow to its end: the Office (`intelligent_office.Office`)."""

    async def run_workflow(self, workflow: Workflow, *, root: Path | None = None) -> WorkflowRun:
        """Run `workflow`, its agents' `sources` resolved in `root`."""
        ...


@dataclass
class CronScheduler:
    """Fires the scheduled workflows of one folder on one Office; sources resolve in the folder."""

    directory: Path
    office: WorkflowStarter
    clock: Callable[[], datetime] = _utc_now
    poll_seconds: float = 30.0
    _due: dict[Path, tuple[str, datetime]] = field(default_factory=dict)

    def scheduled(self, now: datetime) -> list[tuple[Workflow, datetime]]:
        """Every scheduled workflow with its next time; forgets removed files."""
        found: list[tuple[Workflow, datetime]] = []
        seen: set[Path] = set()
        for path in discover(self.directory):
            try:
                workflow = load_agent_workflow(path)
            except WorkflowFileError as error:
                log.warning("agent scheduler: skipping %s", error)
                continue
            if workflow.schedule is None:
                continue
            seen.add(path)
            known = self._due.get(path)
            if known is None or known[0] != workflow.schedule:
                known = (workflow.schedule, next_time(workflow.schedule, now))
                self._due[path] = known
            found.append((workflow, known[1]))
        for gone in set(self._due) - seen:
            del self._due[gone]
        return found

    async def tick(self) -> list[WorkflowRun]:
        """Run, concurrently, every workflow whose time has come; returns their runs."""
        now = self.clock()
        due = [w for w, when in self.scheduled(now) if when <= now]
        for path, (schedule, when) in list(self._due.items()):
            if when <= now:
                self._due[path] = (schedule, next_time(schedule, now))
        results = await asyncio.gather(
            *(self.office.run_workflow(w, root=self.directory) for w in due),
            return_exceptions=True,
        )
        runs: list[WorkflowRun] = []
        for workflow, result in zip(due, results, strict=True):
            if isinstance(result, BaseException):
                log.error("agent scheduler: %s raised %r", workflow.name, result)
                continue
            log.info("agent scheduler: %s %s", workflow.name, result.status.value)
            runs.append(result)
        return runs

    def seconds_to_next(self) -> float:
        """How long to sleep: until the next due time, at most `poll_seconds`."""
        now = self.clock()
        waits = [(when - now).total_seconds() for _, when in self._due.values()]
        return max(0.0, min([self.poll_seconds, *waits]))

    async def run(self, stop: asyncio.Event) -> None:
        """Tick until `stop` is set."""
        while not stop.is_set():
            await self.tick()
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.seconds_to_next())
            except TimeoutError:
                continue


def agent_scheduler(settings: Settings, office: WorkflowStarter) -> CronScheduler:
    """The scheduler `office serve` runs: the cron workflows of `agent_workflows_dir`, run
    (and stored) by the server's Office."""
    return CronScheduler(settings.agent_workflows_dir.expanduser().resolve(), office)
