"""A Temporal worker of the Office: its workflow, its activities, and the bridge.

Workflow code runs in Temporal's sandbox with the project's modules passed through:
they are deterministic by rule (and by the replay test), and importing them once per
process rather than once per workflow keeps a task's start cheap.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from intelligent_office.activities.office_activities import OfficeActivities
from intelligent_office.runtime.temporal.activities import TemporalActivities
from intelligent_office.runtime.temporal.bridge import RunBridge
from intelligent_office.runtime.temporal.client import (
    DEFAULT_TASK_QUEUE,
    RunOptions,
    TemporalSubmitter,
)
from intelligent_office.runtime.temporal.workflow import OfficeWorkflow
from intelligent_office.store import Store

Activities = Sequence[Callable[..., Awaitable[object]]]

__all__ = ["WorkerOptions", "build_worker", "office_sandbox", "serve_worker"]


@dataclass(frozen=True)
class WorkerOptions:
    """How one Temporal worker polls and what it runs at once."""

    task_queue: str = DEFAULT_TASK_QUEUE
    max_concurrent_activities: int = 32
    max_concurrent_workflow_tasks: int = 32
    sticky_timeout_seconds: float = 10.0
    """How long a workflow waits for this worker (which caches it) before any worker may
    take it: after a crash, the pause before another worker carries on."""
    bridge: bool = True
    """Also carry queued runs, signals and cancel requests from the store to Temporal."""
    identity: str | None = None


def office_sandbox() -> SandboxedWorkflowRunner:
    """Temporal's sandbox, with the project (and pydantic) passed through."""
    restrictions = SandboxRestrictions.default.with_passthrough_modules(
        "intelligent_office", "pydantic", "pydantic_core"
    )
    return SandboxedWorkflowRunner(restrictions=restrictions)


def build_worker(
    client: Client,
    agents: OfficeActivities,
    store: Store,
    options: WorkerOptions,
    *,
    workflows: Sequence[type] = (),
    activities: Activities = (),
) -> Worker:
    """A worker for the Office workflow and its activities on `options.task_queue`, and for
    the `workflows` and `activities` given (agent workflows: `agentkit.temporal.worker_parts`).
    """
    return Worker(
        client,
        task_queue=options.task_queue,
        workflows=[OfficeWorkflow, *workflows],
        activities=[*TemporalActivities(agents, store).all(), *activities],
        workflow_runner=office_sandbox(),
        max_concurrent_activities=options.max_concurrent_activities,
        max_concurrent_workflow_tasks=options.max_concurrent_workflow_tasks,
        sticky_queue_schedule_to_start_timeout=timedelta(seconds=options.sticky_timeout_seconds),
        identity=options.identity,
    )


async def serve_worker(
    client: Client,
    agents: OfficeActivities,
    store: Store,
    options: WorkerOptions,
    stop: asyncio.Event,
    *,
    run_options: RunOptions | None = None,
    workflows: Sequence[type] = (),
    activities: Activities = (),
) -> None:
    """Run a worker (and its bridge) until `stop` is set; the extras as in `build_worker`."""
    worker = build_worker(
        client, agents, store, options, workflows=workflows, activities=activities
    )
    run_options = run_options or RunOptions(task_queue=options.task_queue)
    bridge = RunBridge(TemporalSubmitter(client, store, run_options))
    async with worker:
        if options.bridge:
            await bridge.serve(stop)
        else:
            await stop.wait()
