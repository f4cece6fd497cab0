"""Guidance: what the Office learned from its failures, handed to the planner."""

from __future__ import annotations

from pydantic import BaseModel, Field, JsonValue

__all__ = ["Guidance", "PromptChoice"]


class Guidance(BaseModel):
    """One piece of planner guidance learned from a cause of failure (`office learn`).

    `adjustment` is what a rule-based planner does about it, e.g.
    `{"kind": "root_at_src"}` or `{"kind": "use_tool", "tool": "rates.get_json",
    "inputs": {...}}`; kind `note` is advice in words only (for model planners).
    """

    guidance_id: str
    text: str
    cause: str = ""
    intent: str | None = None
    tool: str | None = None
    adjustment: dict[str, JsonValue] = Field(default_factory=dict)
    similarity: float = 0.0
    """How close the request being planned is to the failures it came from (0..1)."""


class PromptChoice(BaseModel):
    """The prompt version a planner is to use (`office prompts`), by tier."""

    version_id: str
    tier: str
    version: int
    text: str
