"""The Office as a Temporal workflow: `office.task`, hosting the Office workflow code unchanged.

The workflow asks its worker which tools it has (one activity, so a replay sees the
same answer), binds the Office's activities to names only (`WorkflowAgents`), and runs
`office_workflow(agents)` on a `TemporalRuntime`. The run's outcome goes to the SQL
store through a last activity, so the CLI, the API and the UI read it as they read a
local run. Approvals arrive as the `office.signal` signal, `office.progress` answers
what the run is doing, and a cancelled workflow finishes its run as cancelled.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from intelligent_office.office.contracts import OfficeOutput
    from intelligent_office.office.workflow import OFFICE_WORKFLOW, office_workflow
    from intelligent_office.runtime.temporal.activity_stubs import workflow_agents
    from intelligent_office.runtime.temporal.messages import (
        ActivityCall,
        RunFinish,
        RunProgress,
        SignalMessage,
        TemporalRunInput,
        ToolFlags,
    )
    from intelligent_office.runtime.temporal.runtime import LOST_WORKER_ATTEMPTS, TemporalRuntime

__all__ = ["FINISH_RUN", "OfficeWorkflow", "PROGRESS_QUERY", "SIGNAL", "TOOL_FLAGS"]

SIGNAL = "office.signal"
PROGRESS_QUERY = "office.progress"
TOOL_FLAGS = "office.temporal.tool_flags"
FINISH_RUN = "office.temporal.finish_run"

_BOOKKEEPING_TIMEOUT = timedelta(seconds=60)
_BOOKKEEPING_RETRY = RetryPolicy(maximum_attempts=LOST_WORKER_ATTEMPTS * 3)
"""The workflow's own activities (tool flags, finishing the run) only read or write the
store, so they are retried a little longer."""


@workflow.defn(name=OFFICE_WORKFLOW)
class OfficeWorkflow:
    """One Office task, from description to answer, on Temporal."""

    def __init__(self) -> None:
        self._runtime: TemporalRuntime | None = None
        self._early_signals: list[SignalMessage] = []
        self._finished = False

    @workflow.run
    async def run(self, run: TemporalRunInput) -> OfficeOutput:
        """Run the Office workflow code and record how it ended in the SQL store."""
        runtime = self._runtime = TemporalRuntime(run)
        for early in self._early_signals:
            runtime.deliver(early.name, early.payload)
        call = ActivityCall(run_id=run.run_id, task_id=runtime.task_id, key="temporal/tools")
        flags = await workflow.execute_activity(
            TOOL_FLAGS,
            call,
            result_type=ToolFlags,
            activity_id=call.key,
            start_to_close_timeout=_BOOKKEEPING_TIMEOUT,
            retry_policy=_BOOKKEEPING_RETRY,
        )
        definition = office_workflow(workflow_agents(flags))
        await runtime.emit(
            "run.started",
            {"workflow": OFFICE_WORKFLOW, "start": 1, "worker": "temporal"},
            key="run/start/1",
        )
        try:
            output = await definition.fn(runtime, run.office)
        except asyncio.CancelledError:
            await self._finish(runtime, "cancelled", error="cancelled")
            raise
        except Exception as failure:
            message = f"{type(failure).__name__}: {failure}"
            await runtime.emit("run.failed", {"error": message}, key="run/failed")
            await self._finish(runtime, "failed", error=message)
            raise ApplicationError(
                message, type=type(failure).__name__, non_retryable=True
            ) from None
        await runtime.emit("run.completed", {"replayed": 0}, key="run/done")
        await self._finish(runtime, "completed", result=output.model_dump(mode="json"))
        return output

    async def _finish(
        self,
        runtime: TemporalRuntime,
        status: str,
        *,
        result: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        finish = RunFinish(
            run_id=runtime.run_id,
            task_id=runtime.task_id,
            status=status,
            result=result,
            error=error,
            events=runtime.take_events(),
        )
        await workflow.execute_activity(
            FINISH_RUN,
            finish,
            activity_id="temporal/finish",
            start_to_close_timeout=_BOOKKEEPING_TIMEOUT,
            retry_policy=_BOOKKEEPING_RETRY,
        )
        self._finished = True

    @workflow.signal(name=SIGNAL)
    def signal(self, message: SignalMessage) -> None:
        """Deliver a signal (an approval decision) to the run."""
        if self._runtime is None:
            self._early_signals.append(message)
        else:
            self._runtime.deliver(message.name, message.payload)

    @workflow.query(name=PROGRESS_QUERY)
    def progress(self) -> RunProgress:
        """What the run is doing: activities done and running, signals it waits for."""
        if self._runtime is None:
            return RunProgress(run_id=workflow.info().workflow_id, task_id="", state="starting")
        return self._runtime.progress(finished=self._finished)
