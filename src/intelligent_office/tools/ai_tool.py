"""`ai_tool`: a plan step that asks a model to summarize, extract, classify or transform text.

The call goes through the router on the `ai_tool` tier, so it has the same fallback,
rate limits, cache, costs and budgets as the agents' own calls, and is costed to the
task. Registered only when a model is configured for that tier (or the default tier).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Literal

from intelligent_office.errors import ToolError
from intelligent_office.llm.budget import CallScope
from intelligent_office.llm.config import Tier
from intelligent_office.llm.prompts import AI_TOOL
from intelligent_office.tools.base import Tool, ToolContext, tool

if TYPE_CHECKING:
    from intelligent_office.llm.router import LLMRouter

__all__ = ["MAX_TEXT_CHARS", "ai_tool"]

MAX_TEXT_CHARS = 50_000
"""The most text one call sends; longer text is refused rather than silently cut."""

Operation = Literal["summarize", "extract", "classify", "transform"]


def _instruction(operation: Operation, instruction: str, labels: list[str]) -> str:
    if operation == "classify":
        if not labels:
            raise ToolError("classify needs labels: pass labels=[...] to choose from")
        return f"Classify the text as exactly one of: {', '.join(labels)}. {instruction}".strip()
    default = {
        "summarize": "Summarize the text in a few sentences.",
        "extract": "Extract the requested facts from the text as a short list.",
        "transform": "Rewrite the text as asked.",
    }[operation]
    return instruction or default


def ai_tool(router: LLMRouter) -> Tool:
    """The `ai_tool` tool, calling models through this router."""

    @tool("ai_tool", idempotent=True)
    async def run_ai_tool(
        ctx: ToolContext,
        *,
        operation: Operation,
        text: str,
        instruction: str = "",
        labels: list[str] | None = None,
    ) -> dict[str, str]:
        """Ask a language model to summarize, extract from, classify or transform text.

        Args:
            operation: summarize, extract, classify or transform.
            text: the text to work on (up to 50,000 characters).
            instruction: what exactly to do, e.g. "list every date mentioned".
            labels: for classify, the labels to choose from.
        """
        if not text.strip():
            raise ToolError("text is empty: pass the text to work on")
        if len(text) > MAX_TEXT_CHARS:
            raise ToolError(
                f"text has {len(text)} characters, more than {MAX_TEXT_CHARS}:"
                " summarize_file or split it first"
            )
        ask = _instruction(operation, instruction, labels or [])
        user = json.dumps({"instruction": ask, "text": text}, ensure_ascii=False)
        scope = CallScope(agent="ai_tool", task_id=ctx.task_id, subtask_id=ctx.subtask_id)
        reply = await router.run(Tier.AI_TOOL, AI_TOOL, user, str, scope)
        result = reply.output.strip()
        if operation == "classify":
            chosen = [label for label in labels or [] if label.lower() in result.lower()]
            result = chosen[0] if chosen else result
        return {"operation": operation, "result": result, "model": str(reply.model)}

    return run_ai_tool
