"""The Agent: one role in a workflow, with its prompt, model tier, tools and limits."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from intelligent_office.engine.retry import RetryPolicy
from intelligent_office.limits import MAX_TIMEOUT_SECONDS
from intelligent_office.llm.config import ModelRef, Tier

__all__ = ["Agent", "Archetype", "render_prompt"]

_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


class Archetype(StrEnum):
    """The kinds of agents the factory knows: each brings a prompt, tools and a tier."""

    RESEARCHER = "researcher"
    ANALYST = "analyst"
    WRITER = "writer"
    COORDINATOR = "coordinator"
    CRITIC = "critic"
    REVIEWER = "reviewer"
    SUPERVISOR = "supervisor"
    SUMMARIZER = "summarizer"


class Agent(BaseModel):
    """One agent: what it is for, how it is prompted, which model answers, and its limits.

    `prompt_template` may use `{input}` (the workflow's input), `{context}` (the outputs
    of the agents it depends on and the text of its `sources`) and `{feedback}` (from a
    gate or critic); context and feedback are appended when the template does not place them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="Unique within a workflow: letters, digits, _ . -")
    description: str = ""
    archetype: Archetype | None = None
    tier: Tier = Tier.DEFAULT
    model: str | None = Field(
        default=None, description="`provider:model` pinned instead of the tier's list."
    )
    system_prompt: str = "You are a careful assistant."
    prompt_template: str = "{input}"
    tools: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = Field(
        default=(), description="What a supervisor may assign to this agent."
    )
    sources: tuple[str, ...] = Field(
        default=(), description="Globs of local text files read into the agent's context."
    )
    dependencies: tuple[str, ...] = ()
    max_retries: int = Field(default=2, ge=0, le=10)
    timeout: float | None = Field(
        default=120.0,
        gt=0,
        le=MAX_TIMEOUT_SECONDS,
        allow_inf_nan=False,
        description="Seconds per attempt.",
    )
    cost_limit: float | None = Field(
        default=None, ge=0, allow_inf_nan=False, description="USD per call."
    )
    priority: int = Field(default=5, ge=0, le=10)

    @field_validator("name")
    @classmethod
    def _usable_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(f"agent name {value!r} may use only letters, digits, '_', '.', '-'")
        return value

    @field_validator("model")
    @classmethod
    def _model_ref(cls, value: str | None) -> str | None:
        if value is not None:
            ModelRef.parse(value)
        return value

    @property
    def retry_policy(self) -> RetryPolicy:
        """Retries for transient failures (rate limits, timeouts): exponential from 0.5 s."""
        if self.max_retries == 0:
            return RetryPolicy.none()
        return RetryPolicy.exponential(0.5, self.max_retries + 1, max_delay_seconds=10.0)

    @property
    def skills(self) -> frozenset[str]:
        """Capabilities, tools and archetype, lower-cased: what assignment matches against."""
        names = {*self.capabilities, *self.tools}
        if self.archetype is not None:
            names.add(self.archetype.value)
        return frozenset(name.lower() for name in names)


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_prompt(agent: Agent, *, input: str, context: str = "", feedback: str = "") -> str:
    """The user message for one call: the template filled in, context and feedback appended."""
    template = agent.prompt_template
    text = template.format_map(_Blank(input=input, context=context, feedback=feedback))
    if context and "{context}" not in template:
        text += f"\n\nContext:\n{context}"
    if feedback and "{feedback}" not in template:
        text += f"\n\nFeedback on your previous answer (address it):\n{feedback}"
    return text
