"""Connecting to Temporal, and starting an Office run there (`TemporalSubmitter`).

A run always exists in the SQL store first (so the CLI, the API and the UI see it
whatever runs it); starting it on Temporal claims the row, starts the workflow with the
run id as workflow id, and hands the row over to Temporal with a lease that never
expires, so no local worker ever claims it. A submitter that dies half-way leaves a
short lease: the next one to look starts it (a second start of the same id is refused
by Temporal and taken as done).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from intelligent_office.errors import UserError
from intelligent_office.office import OFFICE_WORKFLOW, OfficeInput
from intelligent_office.runtime.temporal.messages import (
    DEFAULT_ADDRESS,
    DEFAULT_TASK_QUEUE,
    ReplayedStep,
    TemporalRunInput,
)
from intelligent_office.runtime.temporal.payloads import (
    DEFAULT_THRESHOLD_BYTES,
    office_data_converter,
)
from intelligent_office.runtime.temporal.workflow import OfficeWorkflow
from intelligent_office.store import RunRecord, Store

__all__ = [
    "DEFAULT_ADDRESS",
    "DEFAULT_TASK_QUEUE",
    "TEMPORAL_OWNER",
    "RunOptions",
    "TemporalSubmitter",
    "connect",
]

TEMPORAL_OWNER = "temporal"
"""The lease owner of a run that Temporal runs; local workers never claim it."""

_CLAIM_SECONDS = 30.0
_HANDED_OVER_SECONDS = 100 * 365 * 86400.0


async def connect(
    address: str = DEFAULT_ADDRESS,
    *,
    namespace: str = "default",
    store: Store | None = None,
    threshold_bytes: int = DEFAULT_THRESHOLD_BYTES,
    wait_seconds: float = 0.0,
) -> Client:
    """A client with the Office's data converter; waits up to `wait_seconds` for the server.

    Raises:
        UserError: no Temporal server answered at `address`.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return await Client.connect(
                address,
                namespace=namespace,
                data_converter=office_data_converter(store, threshold_bytes=threshold_bytes),
            )
        except RuntimeError:  # the SDK's connection failure
            if time.monotonic() >= deadline:
                raise UserError(
                    f"no Temporal server answered at {address}: start one with"
                    " `office temporal-dev` or pass --address HOST:PORT"
                ) from None
            await asyncio.sleep(0.1)


@dataclass(frozen=True)
class RunOptions:
    """How the runs this submitter starts behave on Temporal."""

    task_queue: str = DEFAULT_TASK_QUEUE
    heartbeat_seconds: float = 10.0
    activity_timeout_seconds: float = 600.0


class TemporalSubmitter:
    """Starts SQL-stored Office runs as Temporal workflows."""

    def __init__(self, client: Client, store: Store, options: RunOptions | None = None) -> None:
        self.client = client
        self.store = store
        self.options = options or RunOptions()

    async def submit(self, value: OfficeInput, *, priority: int = 5) -> RunRecord:
        """Queue a run of the Office for a stored task and start it on Temporal now."""
        run = await asyncio.to_thread(
            self.store.runs.create,
            run_id=uuid.uuid4().hex,
            task_id=value.task.task_id,
            workflow=OFFICE_WORKFLOW,
            input=value.model_dump(mode="json"),
            priority=priority,
        )
        await self.start(run.run_id)
        return self.store.runs.require(run.run_id)

    async def start(self, run_id: str) -> bool:
        """Start a queued (or half-started) Office run; False if someone else has it."""
        claimed = await asyncio.to_thread(
            self.store.runs.claim, run_id, TEMPORAL_OWNER, _CLAIM_SECONDS
        )
        if not claimed:
            return False
        run = self.store.runs.require(run_id)
        if run.workflow != OFFICE_WORKFLOW:
            self.store.runs.release(run_id, TEMPORAL_OWNER)
            raise UserError(
                f"run {run_id} is a {run.workflow!r} run: only Office runs go to Temporal"
            )
        # A fork's copied steps, answered by the workflow without calling them.
        copied = await asyncio.to_thread(self.store.journal.ordered, run_id)
        value = TemporalRunInput(
            run_id=run_id,
            office=OfficeInput.model_validate(run.input),
            heartbeat_seconds=self.options.heartbeat_seconds,
            activity_timeout_seconds=self.options.activity_timeout_seconds,
            journal=[ReplayedStep.model_validate(vars(entry)) for entry in copied],
        )
        try:
            await self.client.start_workflow(
                OfficeWorkflow.run,
                value,
                id=run_id,
                task_queue=self.options.task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            )
        except WorkflowAlreadyStartedError:
            pass  # a submitter that died after starting it: it runs already
        except RPCError:
            self.store.runs.release(run_id, TEMPORAL_OWNER)
            raise
        await asyncio.to_thread(self.store.runs.renew, run_id, TEMPORAL_OWNER, _HANDED_OVER_SECONDS)
        return True
