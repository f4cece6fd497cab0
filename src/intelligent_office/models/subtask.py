"""SubtaskGraph: a task broken into subtasks that depend on each other."""

from __future__ import annotations

from typing import Self

from pydantic import ConfigDict, Field, model_validator

from intelligent_office.models._dependencies import check_dependencies
from intelligent_office.models._fields import Contract, NonEmptyItem, NonEmptyStr

__all__ = ["Subtask", "SubtaskGraph"]


class Subtask(Contract):
    """One piece of a task, planned and run on its own once its dependencies are done."""

    subtask_id: NonEmptyStr = Field(description="Id of the subtask, unique within its graph.")
    description: NonEmptyStr = Field(description="What this subtask should achieve.")
    dependencies: list[NonEmptyItem] = Field(
        default_factory=list, description="Ids of the subtasks that must finish first."
    )
    tool_hints: list[NonEmptyItem] = Field(
        default_factory=list,
        description="Tools the planner will probably need; a hint, not a restriction.",
    )
    estimated_cost_tokens: int | None = Field(
        default=None, ge=0, description="Expected LLM tokens to plan and run it; None if unknown."
    )
    estimated_duration_seconds: float | None = Field(
        default=None, ge=0, description="Expected wall-clock time in seconds; None if unknown."
    )


class SubtaskGraph(Contract):
    """The decomposition of a task: subtasks and their dependencies (a DAG)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "task_id": "3f0c9d6e2b8a4c1d9e7f5a3b1c0d2e4f",
                    "subtasks": [
                        {
                            "subtask_id": "s1",
                            "description": "Find main() and process_data() in ./src",
                            "tool_hints": ["search_code"],
                        },
                        {
                            "subtask_id": "s2",
                            "description": "Trace the call path between them",
                            "dependencies": ["s1"],
                            "tool_hints": ["trace_calls"],
                            "estimated_cost_tokens": 2000,
                            "estimated_duration_seconds": 30,
                        },
                    ],
                }
            ]
        }
    )

    task_id: NonEmptyStr = Field(description="The task this graph decomposes.")
    subtasks: list[Subtask] = Field(
        min_length=1, description="The subtasks; dependencies refer to their subtask_id."
    )

    @model_validator(mode="after")
    def _check_dependencies(self) -> Self:
        check_dependencies(
            "subtask", [(subtask.subtask_id, subtask.dependencies) for subtask in self.subtasks]
        )
        return self
