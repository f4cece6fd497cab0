"""What crosses Temporal's wire: workflow input, activity call context, signals, progress.

Plain pydantic models (no temporalio import), so the API and the CLI can build them
without the SDK. Every payload stays small: large values are swapped for a reference
to the SQL store by the payload codec (`payloads.py`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, JsonValue

from intelligent_office.office.contracts import OfficeInput

__all__ = [
    "DEFAULT_ADDRESS",
    "DEFAULT_TASK_QUEUE",
    "ActivityCall",
    "EventRecord",
    "ReplayedStep",
    "RunFinish",
    "RunProgress",
    "SignalMessage",
    "TemporalRunInput",
    "WorkflowRunInput",
    "ToolFlags",
]

DEFAULT_ADDRESS = "127.0.0.1:7233"
DEFAULT_TASK_QUEUE = "office"


class ReplayedStep(BaseModel):
    """A step a forked run replays instead of calling: the original run's recorded outcome."""

    key: str
    activity: str
    ok: bool
    output: dict[str, Any] | None = None
    error_type: str | None = None
    error: str | None = None
    retryable: bool = False


class WorkflowRunInput(BaseModel):
    """What every workflow run on Temporal carries: its id and how hard to try.

    Workflows built above the runtime (agent workflows in `agentkit.temporal`) subclass
    it, so the runtime never imports them.
    """

    run_id: str = Field(description="The run's id; also the workflow id.")
    activity_timeout_seconds: float = Field(
        default=600.0,
        gt=0,
        description="Start-to-close for an activity with no timeout of its own.",
    )
    heartbeat_seconds: float = Field(
        default=10.0,
        gt=0,
        description="A worker that has not heartbeated for this long is taken as dead: "
        "its activity is retried on another worker.",
    )

    @property
    def owner_task_id(self) -> str:
        """The SQL task the run works for ("" when none)."""
        return ""


class TemporalRunInput(WorkflowRunInput):
    """One Office run on Temporal: the SQL run it belongs to (its id is the run's)."""

    office: OfficeInput
    journal: list[ReplayedStep] = Field(
        default_factory=list,
        description="A fork's copied steps (answered without calling them) and its edits.",
    )

    @property
    def owner_task_id(self) -> str:
        """The Office task this run works for."""
        return self.office.task.task_id


class EventRecord(BaseModel):
    """An event emitted by workflow code, on its way to the SQL store."""

    type: str
    dedup_key: str
    time: datetime
    payload: dict[str, JsonValue] = Field(default_factory=dict)


class ActivityCall(BaseModel):
    """What a Temporal activity gets besides its own input.

    The events the workflow emitted since its last activity travel with the call and
    are stored before the activity runs: no extra round trip per event.
    """

    run_id: str
    task_id: str
    key: str
    timeout_seconds: float | None = None
    events: list[EventRecord] = Field(default_factory=list)


class ToolFlags(BaseModel):
    """The worker's tools, by name: whether each one is idempotent (safe to retry)."""

    idempotent: dict[str, bool] = Field(default_factory=dict)


class SignalMessage(BaseModel):
    """A signal to a run (an approval decision): the first payload under a name wins."""

    name: str
    payload: JsonValue = None


class RunFinish(BaseModel):
    """How a run ended, for the SQL store: status, result or error, last events."""

    run_id: str
    task_id: str
    status: str  # completed | failed | cancelled
    result: dict[str, Any] | None = None
    error: str | None = None
    events: list[EventRecord] = Field(default_factory=list)


class RunProgress(BaseModel):
    """The answer to the `office.progress` query."""

    run_id: str
    task_id: str
    state: str = Field(description="running, waiting (for a signal or a timer) or finished.")
    activities_finished: int = 0
    activities_running: list[str] = Field(default_factory=list, description="Their keys.")
    waiting_for: list[str] = Field(default_factory=list, description="Signal names.")
    events_emitted: int = 0
