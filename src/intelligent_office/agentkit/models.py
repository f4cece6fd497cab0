"""Where an agent's answer comes from: the protocol, the errors, and the offline fallback.

The router (`router_model.RouterModel`) is the production path: tiers, fallback, rate
limits, budgets, costs and the ledger all apply. `pydantic_model.PydanticAIModel` runs one
pydantic-ai model directly (pydantic-ai's `FunctionModel` in tests). `OfflineModel` is the
offline fallback: extractive, no network. Those two live in their own modules so that
importing the agent kit does not load the model SDKs.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from intelligent_office.agentkit.agent import Agent, Archetype
from intelligent_office.agentkit.offline_agent import (
    DECOMPOSE,
    SYNTHESIZE,
    decompose,
    synthesize,
    use_tools,
)
from intelligent_office.errors import ModelNeeded, PermanentError, TransientError

if TYPE_CHECKING:
    from pydantic_ai import Tool as PydanticTool

__all__ = [
    "AgentBudgetExceeded",
    "AgentModel",
    "AgentRateLimited",
    "ModelAnswer",
    "OfflineModel",
]


class AgentRateLimited(TransientError):
    """Every model of the agent's tier was rate limited (HTTP 429 or a full local bucket)."""


class AgentBudgetExceeded(PermanentError):
    """The workflow's budget or the agent's cost limit is spent."""


@dataclass(frozen=True, slots=True)
class ModelAnswer:
    """A text answer and what it cost."""

    text: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


class AgentModel(Protocol):
    """Answers one agent's prompt."""

    async def complete(
        self, agent: Agent, user: str, tools: Sequence[PydanticTool] = ()
    ) -> ModelAnswer:
        """The agent's answer to `user` under its system prompt, calling `tools` as it needs."""
        ...


_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n{2,}")
_WORD = re.compile(r"[a-z][a-z0-9'-]{2,}")
_STOP = frozenset(
    "the and for that with this from are was were has have had not but its into our their "
    "they them you your will would can could should about which when what who also than "
    "then there these those been being more most such only other some any each".split()
)


@dataclass(frozen=True)
class OfflineModel:
    """The offline fallback, labelled `offline`: an agent's job done by rule, or `ModelNeeded`.

    Critics and reviewers approve any non-empty answer (saying it was only that check); a
    supervisor splits and assigns by rule and joins the results; an agent with tools uses
    them when its request names what they take (an expression, a file, a document
    question); an agent given documents or context answers with their best sentences
    (extractive: nothing invented). Anything else needs a model, and the agent fails
    saying so rather than echo its prompt.
    """

    sentences: int = 5

    async def complete(
        self, agent: Agent, user: str, tools: Sequence[PydanticTool] = ()
    ) -> ModelAnswer:
        if agent.archetype in (Archetype.CRITIC, Archetype.REVIEWER):
            verdict = "APPROVE" if user.strip() else "REVISE: the answer is empty"
            return ModelAnswer(
                f"{verdict} (offline review: checks only that there is an answer)", "offline"
            )
        if user.startswith(DECOMPOSE):
            return ModelAnswer(decompose(user), "offline")
        if user.startswith(SYNTHESIZE):
            return ModelAnswer(synthesize(user), "offline")
        request = instruction(user)
        by_tool = await use_tools(request, tools) if tools else None
        if by_tool is not None:
            return ModelAnswer(by_tool, "offline")
        drawn = material(user)
        if drawn is user and agent.archetype is not Archetype.SUMMARIZER:
            raise ModelNeeded(_needs_model(agent, tools))
        return ModelAnswer(summarize(drawn, self.sentences), "offline")


def _needs_model(agent: Agent, tools: Sequence[PydanticTool]) -> str:
    what = f"{agent.name} ({agent.archetype or 'custom'})"
    usable = ", ".join(tool.name for tool in tools) or "none"
    return (
        f"needs a model: offline, {what} can only answer from documents or context it is"
        f" given, or with its tools (usable: {usable}) when the request names what they take"
        " (an expression, a file); configure a model (llm.tiers), or give it `sources`"
    )


_MARKERS = ("\n\nDocuments:\n", "\n\nContext:\n")


def material(user: str) -> str:
    """What an offline answer is drawn from: the documents and context, not the instruction.

    The message itself (the same object) when it has neither.
    """
    cuts = [user.index(m) + len(m) for m in _MARKERS if m in user]
    return user[min(cuts) :] if cuts else user


def instruction(user: str) -> str:
    """The request of the message, without the documents and context appended to it."""
    cuts = [user.index(m) for m in (*_MARKERS, "\n\nFeedback on your previous") if m in user]
    return user[: min(cuts)] if cuts else user


def summarize(text: str, sentences: int) -> str:
    """The `sentences` highest-scoring sentences of `text` by word frequency, in text order."""
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    parts = [p.strip() for p in _SENTENCE.split(text) if len(p.strip()) > 20]
    if not parts:
        return text.strip()
    counts = Counter(w for w in _WORD.findall(text.lower()) if w not in _STOP)

    def score(part: str) -> float:
        words = [w for w in _WORD.findall(part.lower()) if w not in _STOP]
        return sum(counts[w] for w in words) / (len(words) + 1)

    best = sorted(range(len(parts)), key=lambda i: (-score(parts[i]), i))[:sentences]
    return " ".join(parts[i] for i in sorted(set(best)))
