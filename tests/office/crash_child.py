"""An Office worker that logs every brain and tool call, for the crash tests.

Run as a child process (`python -m tests.office.crash_child ...`) it submits one task
and runs it like `office run` does, on the database named by `OFFICE_DATABASE_URL`,
and stalls in any call of the tool named by `--stall-at`, so the test can
SIGKILL it at a known point. The test then resumes the run in-process with the same
recording brain and tools (and no stall), and counts the lines of the log.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import JsonValue

from intelligent_office.front_door import Office
from intelligent_office.llm import OfflineBrain
from intelligent_office.llm.base import (
    PlanCheckRequest,
    PlanningResult,
    PlanRequest,
    ReviewRequest,
    ReviewResult,
    SynthesisRequest,
)
from intelligent_office.models import SubtaskGraph, Task
from intelligent_office.settings import Settings, load_settings
from intelligent_office.store import Store
from intelligent_office.task_input import new_task
from intelligent_office.tools.base import ToolContext, ToolRegistry, ToolSpec
from intelligent_office.tools.builtin import builtin_tools

STALL_SECONDS = 60.0
"""Long enough for any test to notice the stall and kill the process."""


def append_line(log: Path, line: str) -> None:
    """Append one line and make it durable before going on (the process may die next)."""
    with log.open("a", encoding="utf-8") as file:
        file.write(line + "\n")
        file.flush()
        os.fsync(file.fileno())


@dataclass
class RecordingBrain:
    """The offline brain, logging `decompose`, `plan s1 1`, `review s1 1`, `synthesize`."""

    log: Path
    inner: OfflineBrain = field(default_factory=OfflineBrain)

    @property
    def name(self) -> str:
        """The offline brain's name."""
        return self.inner.name

    async def decompose(self, task: Task, tools: list[ToolSpec]) -> SubtaskGraph:
        """Log, then decompose."""
        append_line(self.log, "decompose")
        return await self.inner.decompose(task, tools)

    async def plan(self, request: PlanRequest) -> PlanningResult:
        """Log, then plan."""
        append_line(self.log, f"plan {request.subtask.subtask_id} {request.iteration}")
        return await self.inner.plan(request)

    async def check_plan(self, request: PlanCheckRequest) -> list[str]:
        """No semantic objections (the offline brain's)."""
        return await self.inner.check_plan(request)

    async def review(self, request: ReviewRequest) -> ReviewResult:
        """Log, then review."""
        append_line(self.log, f"review {request.subtask.subtask_id} {request.iteration}")
        return await self.inner.review(request)

    async def synthesize(self, request: SynthesisRequest) -> str:
        """Log, then synthesize."""
        append_line(self.log, "synthesize")
        return await self.inner.synthesize(request)


class RecordingTools(ToolRegistry):
    """The built-in tools; each call logs `tool <name>` before it runs."""

    def __init__(self, log: Path, stall_at: str | None = None) -> None:
        builtins = builtin_tools()
        super().__init__(builtins.get(name) for name in builtins.names())
        self.log = log
        self.stall_at = stall_at

    async def call(self, name: str, context: ToolContext, arguments: dict[str, Any]) -> JsonValue:
        """Log the call, stall if it is the chosen one, then call the tool."""
        append_line(self.log, f"tool {name}")
        if name == self.stall_at:
            await asyncio.sleep(STALL_SECONDS)
        return await super().call(name, context, arguments)


def recording_service(
    settings: Settings, store: Store, log: Path, stall_at: str | None = None
) -> Office:
    """An Office service on `store` whose brain and tools log to `log`."""
    return Office(settings, store, brain=RecordingBrain(log), tools=RecordingTools(log, stall_at))


async def _run(description: str, workspace: Path, log: Path, stall_at: str | None) -> None:
    settings = load_settings(None)
    store = Store.open(settings.resolved_database_url)
    service = recording_service(settings, store, log, stall_at)
    worker = service.worker()
    _, run = service.submit(worker, new_task(description, workspace=workspace))
    await worker.run(run.run_id)


def main() -> None:
    """Submit one task and run it, logging (and maybe stalling in) every call."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("description")
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--stall-at", default=None)
    args = parser.parse_args()
    asyncio.run(_run(args.description, args.workspace, args.log, args.stall_at))


if __name__ == "__main__":
    main()
