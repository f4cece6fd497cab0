"""Event: everything a user can see happen."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, JsonValue

__all__ = ["Event"]


class Event(BaseModel):
    """One thing that happened in a task or run, in order.

    `seq` is strictly increasing per task: readers resume a stream from the last
    sequence number they saw.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "node.completed",
                    "task_id": "t-1",
                    "run_id": "r-1",
                    "seq": 7,
                    "time": "2026-11-21T08:00:00Z",
                    "payload": {"node_id": "build", "attempt": 1},
                }
            ]
        }
    )

    type: str = Field(description="Dotted event type, e.g. task.submitted, node.completed.")
    task_id: str = Field(description="The task this event belongs to.")
    run_id: str | None = Field(default=None, description="The run that emitted it, if any.")
    seq: int = Field(ge=1, description="Strictly increasing sequence number within the task.")
    time: datetime = Field(description="When it was recorded (UTC).")
    payload: dict[str, JsonValue] = Field(
        default_factory=dict, description="Details of the event; their shape depends on `type`."
    )
