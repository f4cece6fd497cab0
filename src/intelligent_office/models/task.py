"""Task: what a user asks the office to do, with its limits."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import ConfigDict, Field, JsonValue

from intelligent_office.models._fields import (
    NON_EMPTY_SCHEMA,
    Contract,
    NonEmptyItem,
    NonEmptyStr,
    UtcDatetime,
    strip_non_empty,
)
from intelligent_office.models.criteria import Criterion

__all__ = ["Task", "TaskConstraints"]

_Description = Annotated[
    str,
    strip_non_empty(
        "{field} must not be empty or only whitespace: say in plain language what should be done"
    ),
    NON_EMPTY_SCHEMA,
]


def _new_task_id() -> str:
    return uuid.uuid4().hex


class TaskConstraints(Contract):
    """Limits a task must stay within; None means no limit."""

    max_cost: float | None = Field(
        default=None, ge=0, description="Most the task may spend, in USD; None for no limit."
    )
    max_tokens: int | None = Field(
        default=None, ge=1, description="Most LLM tokens the task may use; None for no limit."
    )
    max_duration: float | None = Field(
        default=None,
        gt=0,
        description="Most wall-clock time the task may take, in seconds; None for no limit.",
    )
    allowed_tools: list[NonEmptyItem] | None = Field(
        default=None,
        description="Names of the tools the task may use; None allows every tool, [] allows none.",
    )


class Task(Contract):
    """A request in plain language, with priority, deadline and constraints."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "task_id": "3f0c9d6e2b8a4c1d9e7f5a3b1c0d2e4f",
                    "description": "Trace the calls from main() to process_data() in ./src",
                    "user_id": "alice",
                    "priority": 7,
                    "deadline": "2026-11-21T18:00:00Z",
                    "constraints": {
                        "max_cost": 0.5,
                        "max_duration": 300,
                        "allowed_tools": ["trace_calls", "read_file"],
                    },
                    "context": {"workspace": "./src"},
                    "idempotency_key": "alice-trace-2026-11-21",
                }
            ]
        }
    )

    task_id: NonEmptyStr = Field(
        default_factory=_new_task_id, description="Unique id of the task; generated if omitted."
    )
    description: _Description = Field(description="What should be done, in plain language.")
    user_id: NonEmptyStr | None = Field(
        default=None, description="Who submitted the task; None for local, anonymous use."
    )
    priority: int = Field(
        default=5, ge=0, le=10, description="Scheduling priority from 0 (lowest) to 10 (highest)."
    )
    deadline: UtcDatetime | None = Field(
        default=None, description="When the task must be done by (UTC); None for no deadline."
    )
    constraints: TaskConstraints = Field(
        default_factory=TaskConstraints, description="Cost, time and tool limits."
    )
    context: dict[str, JsonValue] = Field(
        default_factory=dict,
        description="Extra facts for the agents: files, URLs, preferences, prior results.",
    )
    idempotency_key: NonEmptyStr | None = Field(
        default=None,
        description="Submitting again with the same key returns the same task, not a new one.",
    )
    criteria: list[Criterion] = Field(
        default_factory=list,
        description=(
            "Acceptance criteria the reviewer judges each result against: text, and the"
            " machine checks regex (answer matches), file (exists) and command (exits 0)."
        ),
    )
