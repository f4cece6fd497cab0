"""A runtime wrapper that books every agent output into the run's ledger as it is handed back.

It also checks the run's budget before each agent call, in workflow code: on Temporal the
call runs in a worker whose ledger is not the run's.

Booking outside the activity means a journaled output replayed by the local runtime (or
returned by Temporal) counts exactly like a fresh one: the run's calls, tokens and cost
are the same after a replay, and no model is called again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel, JsonValue

from intelligent_office.agentkit.models import AgentBudgetExceeded
from intelligent_office.agentkit.runner import AgentCall, AgentOutput, RunLedger
from intelligent_office.agentkit.status import AgentState
from intelligent_office.errors import ActivityError
from intelligent_office.runtime.activity import Activity
from intelligent_office.runtime.base import Runtime
from intelligent_office.runtime.inline import to_activity_error

__all__ = ["BookingRuntime"]

InT = TypeVar("InT", bound=BaseModel)
OutT = TypeVar("OutT", bound=BaseModel)


class BookingRuntime:
    """Passes everything to `inner`; books each AgentOutput an activity returns."""

    def __init__(self, inner: Runtime, ledger: RunLedger) -> None:
        self.inner = inner
        self.ledger = ledger

    @property
    def run_id(self) -> str:
        return self.inner.run_id

    async def activity(
        self,
        key: str,
        activity: Activity[InT, OutT],
        value: InT,
        *,
        timeout_seconds: float | None = None,
    ) -> OutT:
        if not isinstance(value, AgentCall):
            return await self.inner.activity(key, activity, value, timeout_seconds=timeout_seconds)
        agent = value.agent.name
        # In workflow code: the ledger is the run's own.
        self.ledger.record(agent).state = AgentState.RUNNING
        await self.inner.emit(
            "agent.started", {"agent": agent, "step": key}, key=f"{key}/agent/started"
        )
        try:
            self.ledger.check(value.agent)
        except AgentBudgetExceeded as spent:
            await self._failed(key, agent, str(spent))
            raise to_activity_error(key, spent) from None
        try:
            output = await self.inner.activity(
                key, activity, value, timeout_seconds=timeout_seconds
            )
        except ActivityError as error:
            await self._failed(key, agent, f"{error.error_type}: {error.detail}")
            raise
        if isinstance(output, AgentOutput):
            self.ledger.add(output)
            await self.inner.emit(
                "agent.finished",
                {
                    "agent": agent,
                    "step": key,
                    "model": output.model,
                    "input_tokens": output.input_tokens,
                    "output_tokens": output.output_tokens,
                    "cost_usd": output.cost_usd,
                    "seconds": output.duration_seconds,
                    "tool_calls": [use.model_dump(mode="json") for use in output.tool_calls],
                    "text": output.text[:2_000],
                },
                key=f"{key}/agent/finished",
            )
        return output

    async def _failed(self, key: str, agent: str, error: str) -> None:
        await self.inner.emit(
            "agent.failed", {"agent": agent, "step": key, "error": error}, key=f"{key}/agent/failed"
        )

    async def wait_signal(self, name: str, *, timeout_seconds: float | None = None) -> JsonValue:
        return await self.inner.wait_signal(name, timeout_seconds=timeout_seconds)

    async def sleep(self, key: str, seconds: float) -> None:
        await self.inner.sleep(key, seconds)

    async def now(self, key: str) -> datetime:
        return await self.inner.now(key)

    def uuid(self, key: str) -> str:
        return self.inner.uuid(key)

    async def emit(
        self,
        event_type: str,
        payload: Mapping[str, JsonValue] | None = None,
        *,
        key: str | None = None,
    ) -> None:
        await self.inner.emit(event_type, payload, key=key)
