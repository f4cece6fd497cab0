"""Replaying Office histories: the determinism guard for the workflow code.

A history recorded from a real run must replay against today's workflow code: a change
that makes the Office workflow issue different commands (another activity, another
order, a timer fewer) fails the replay, as it would break every run in flight.
"""

from __future__ import annotations

import os
from pathlib import Path

from temporalio.client import Client, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from intelligent_office.runtime.temporal.worker import office_sandbox
from intelligent_office.runtime.temporal.workflow import OfficeWorkflow

HISTORIES = Path(__file__).parent / "histories"
RECORD = "OFFICE_RECORD_HISTORIES"
"""Set to 1 to (re)write the recorded histories from the runs of the tests that record."""


async def replay(history: WorkflowHistory, workflow: type = OfficeWorkflow) -> None:
    """Replay one history; raises on any nondeterminism."""
    replayer = Replayer(
        workflows=[workflow],
        data_converter=pydantic_data_converter,
        workflow_runner=office_sandbox(),
    )
    await replayer.replay_workflow(history)


async def replay_and_maybe_record(client: Client, run_id: str, name: str) -> WorkflowHistory:
    """Fetch a finished run's history, replay it, and record it when asked to."""
    history = await client.get_workflow_handle(run_id).fetch_history()
    await replay(history)
    if os.environ.get(RECORD) == "1":
        (HISTORIES / f"{name}.json").write_text(history.to_json())
    return history
