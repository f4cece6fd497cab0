"""ToolGapReport: what a task needed that no tool or rule can do, instead of a made-up answer."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from intelligent_office.models._fields import Contract
from intelligent_office.models.risk import RiskLevel

__all__ = ["CLARIFICATION_PREFIX", "MissingTool", "ToolGapReport", "proposed_request_in"]

# How an answer asks back; the chat front door finds the proposal a "yes" confirms by it.
CLARIFICATION_PREFIX = "Did you mean: "


def proposed_request_in(answer: str) -> str | None:
    """The request an answer proposed with "Did you mean: ...?", if it proposed one."""
    for line in reversed(answer.splitlines()):
        line = line.strip()
        if line.startswith(CLARIFICATION_PREFIX) and line.endswith("?"):
            return line.removeprefix(CLARIFICATION_PREFIX).removesuffix("?").strip() or None
    return None


class MissingTool(Contract):
    """A tool that would close the gap, described well enough to build or find it."""

    name: str = Field(description="A name for the tool, e.g. send_email.")
    description: str = Field(description="What it would do.")
    inputs: dict[str, str] = Field(default_factory=dict, description="Argument -> meaning.")
    outputs: dict[str, str] = Field(default_factory=dict, description="Result field -> meaning.")
    estimated_risk: RiskLevel = Field(
        default=RiskLevel.MEDIUM, description="How much harm a call could do."
    )


class ToolGapReport(Contract):
    """A machine-readable statement that a request cannot be done with the tools at hand."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "task_id": "3f0c9d6e2b8a4c1d9e7f5a3b1c0d2e4f",
                    "subtask_id": "s1",
                    "request": "Send an email to Bob about the release",
                    "missing_capabilities": ["send_email"],
                    "available_tools": ["calculate", "read_file", "trace_calls"],
                    "planner": "offline",
                    "suggestion": "Add an email tool (e.g. through an MCP server).",
                    "missing_tools": [
                        {
                            "name": "send_email",
                            "description": "Send an email message.",
                            "inputs": {"to": "recipient address", "subject": "", "body": ""},
                            "outputs": {"message_id": "id of the sent message"},
                            "estimated_risk": "high",
                        }
                    ],
                    "existing_tools_checked": ["calculate", "read_file", "trace_calls"],
                    "proposed_mcp_server": "an email MCP server (SMTP or Gmail)",
                }
            ]
        }
    )

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
    missing_tools: list[MissingTool] = Field(
        default_factory=list, description="Tools that would close the gap."
    )
    existing_tools_checked: list[str] = Field(
        default_factory=list, description="The tools considered before giving up."
    )
    proposed_mcp_server: str | None = Field(
        default=None, description="An MCP server that could provide the missing tools."
    )
    proposed_request: str | None = Field(
        default=None,
        description=(
            "When the planner was unsure what was asked: the closest request it can do,"
            " asked back as 'Did you mean: ...?'; confirming it submits this text."
        ),
    )
