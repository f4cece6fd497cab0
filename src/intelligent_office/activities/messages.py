"""Inputs and outputs of the Office's activities (they round-trip through the journal)."""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import BaseModel, Field, JsonValue, model_validator

from intelligent_office.models import Plan, Subtask, Task

__all__ = [
    "Answer",
    "Authorization",
    "AuthorizeInput",
    "StepAuthorization",
    "ApprovalOutcome",
    "ApprovalRequest",
    "DeadLetterInput",
    "DecomposeInput",
    "PlanInput",
    "StepCall",
    "StepOutput",
    "TaskFinish",
    "ValidateInput",
]


class DecomposeInput(BaseModel):
    """The task to split."""

    task: Task


class PlanInput(BaseModel):
    """One subtask to plan, with what earlier iterations learned."""

    task: Task
    subtask: Subtask
    iteration: int = Field(ge=1)
    feedback: list[str] = Field(default_factory=list)
    upstream_answers: dict[str, str] = Field(default_factory=dict)


class ValidateInput(BaseModel):
    """A plan, as JSON, to check for this task."""

    task: Task
    plan: dict[str, JsonValue]
    subtask: Subtask | None = None  # for the semantic check; None skips it


class StepCall(BaseModel):
    """One step's tool call, with the outputs of the steps it may reference."""

    task: Task
    plan_id: str
    step_id: str
    tool: str
    inputs: dict[str, JsonValue] = Field(default_factory=dict)
    upstream: dict[str, JsonValue] = Field(default_factory=dict)
    idempotency_key: str
    timeout_seconds: float | None = None
    subtask_id: str | None = None
    for_each: list[JsonValue] | None = Field(
        default=None, description="Items to call the tool once each with, as ${item}; None: once."
    )


class StepOutput(BaseModel):
    """What the tool returned, with the arguments it really got and when it ran."""

    tool: str
    arguments: dict[str, JsonValue]
    result: JsonValue
    started_at: datetime
    finished_at: datetime
    duration_seconds: float


class Answer(BaseModel):
    """The task's final answer."""

    text: str


class DeadLetterInput(BaseModel):
    """A task that could not be finished, with everything needed to inspect and resubmit it."""

    dead_letter_id: str
    task: Task
    run_id: str
    category: str
    reason: str
    history: dict[str, JsonValue]


class TaskFinish(BaseModel):
    """The task's final status."""

    task_id: str
    status: str


class ToolListing(BaseModel):
    """What the MCP servers offer at the start of a run (the `mcp.tools` event)."""

    tools: list[dict[str, JsonValue]] = Field(default_factory=list)
    servers: list[dict[str, JsonValue]] = Field(default_factory=list)


class ApprovalRequest(BaseModel):
    """A human decision a run is about to wait for."""

    approval_id: str
    task_id: str
    run_id: str
    kind: str
    subject: str
    detail: dict[str, JsonValue] = Field(default_factory=dict)


class ApprovalOutcome(BaseModel):
    """How an approval ended: approved, denied or expired."""

    approval_id: str
    status: str


class AuthorizeInput(BaseModel):
    """A validated plan, for the tool policy to decide on before anything runs."""

    task: Task
    plan: Plan
    run_id: str


_POLICY_DECISION = {"allow": "run", "require_approval": "ask", "deny": "refuse"}


class StepAuthorization(BaseModel):
    """The policy's decision on one step."""

    step_id: str
    tool: str
    arguments: dict[str, JsonValue]
    verdict: str  # the policy's: allow | require_approval | deny
    risk: str
    rule: str
    reason: str
    decision: str = ""  # what happens, policy and score together: run | ask | refuse
    score: int = 0  # 0-100: the risk model's chance, in percent, that a person refuses it
    signals: dict[str, float] = Field(default_factory=dict)
    contributions: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _decided(self) -> StepAuthorization:
        # Journaled before risk scores existed: the policy's verdict alone decided.
        if not self.decision:
            self.decision = _POLICY_DECISION.get(self.verdict, "ask")
        return self

    def risk_detail(self) -> dict[str, JsonValue]:
        """The score and its signals, as approvals, events and the audit log keep them."""
        return {
            "decision": self.decision,
            "score": self.score,
            "signals": dict(self.signals),
            "contributions": dict(self.contributions),
        }

    def describe(self) -> str:
        """`write_file {"path": "report.md", ...}`, short."""
        shown = json.dumps(self.arguments, default=str)
        return f"{self.tool} {shown[:160]}"


class Authorization(BaseModel):
    """The policy's decisions on every step of a plan."""

    steps: list[StepAuthorization]
