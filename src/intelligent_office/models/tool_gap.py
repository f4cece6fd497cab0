"""ToolGapReport: what a task needed that no tool or rule can do, instead of a made-up answer."""

from __future__ import annotations

from pydantic import Field

from intelligent_office.models._fields import Contract

__all__ = ["ToolGapReport"]


class ToolGapReport(Contract):
    """A machine-readable statement that a request cannot be done with the tools at hand."""

    task_id: str = Field(description="The task that asked.")
    subtask_id: str | None = Field(default=None, description="The subtask that could not be done.")
    request: str = Field(description="The request, as the planner received it.")
    missing_capabilities: list[str] = Field(
        description="What is missing, e.g. 'send_email' or 'understand free-form requests'."
    )
    available_tools: list[str] = Field(
        default_factory=list, description="The tools that were available."
    )
    planner: str = Field(description="The planner that gave up, e.g. offline.")
    suggestion: str = Field(description="What would make the request possible.")
