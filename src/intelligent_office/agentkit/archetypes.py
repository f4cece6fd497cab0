"""Archetypes: ready-made agents (prompt, default tools, tier) and the factory that builds them."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from intelligent_office.agentkit.agent import Agent, Archetype
from intelligent_office.errors import UserError
from intelligent_office.llm.config import Tier

__all__ = ["ARCHETYPES", "AgentFactory", "ArchetypeSpec", "with_archetype_defaults"]


@dataclass(frozen=True, slots=True)
class ArchetypeSpec:
    """What an archetype brings to an agent unless overridden."""

    system_prompt: str
    tools: tuple[str, ...]
    tier: Tier
    prompt_template: str = "{input}"


_VERDICT = (
    "Start your reply with APPROVE when the answer is good enough, otherwise with REVISE "
    "followed by concrete feedback."
)

ARCHETYPES: MappingProxyType[Archetype, ArchetypeSpec] = MappingProxyType(
    {
        Archetype.RESEARCHER: ArchetypeSpec(
            "You research a topic: collect the relevant facts from the material given, "
            "each with where it came from. Do not invent facts.",
            ("search_documents", "read_file", "list_files"),
            Tier.AI_TOOL,
        ),
        Archetype.ANALYST: ArchetypeSpec(
            "You analyse material: find patterns, numbers, causes and what they imply.",
            ("calculate", "python_exec", "read_file"),
            Tier.PLANNER,
        ),
        Archetype.WRITER: ArchetypeSpec(
            "You write clear, well-structured prose for the reader named in the request.",
            ("write_file",),
            Tier.SYNTHESIZER,
        ),
        Archetype.COORDINATOR: ArchetypeSpec(
            "You coordinate a team: split the request into parts and say who does which.",
            (),
            Tier.DECOMPOSER,
        ),
        Archetype.CRITIC: ArchetypeSpec(
            f"You critique an answer against the request. {_VERDICT}",
            (),
            Tier.REVIEWER,
            "Request:\n{input}\n\nAnswer to critique:\n{context}",
        ),
        Archetype.REVIEWER: ArchetypeSpec(
            f"You review work for correctness and completeness. {_VERDICT}",
            ("read_file",),
            Tier.REVIEWER,
            "Request:\n{input}\n\nWork to review:\n{context}",
        ),
        Archetype.SUPERVISOR: ArchetypeSpec(
            "You supervise specialists. To decompose, reply with one line per subtask: "
            "`capability: what to do`, using only the capabilities listed. To synthesize, "
            "combine the specialists' results into one answer.",
            (),
            Tier.DECOMPOSER,
        ),
        Archetype.SUMMARIZER: ArchetypeSpec(
            "You summarize: keep the key points and numbers, drop repetition.",
            ("summarize_file",),
            Tier.SYNTHESIZER,
        ),
    }
)


class AgentFactory:
    """Builds agents from archetypes: `AgentFactory.create("critic", name="judge")`."""

    @staticmethod
    def create(archetype: Archetype | str, **overrides: Any) -> Agent:
        """An agent with the archetype's prompt, tools and tier, then `overrides` applied.

        Raises:
            UserError: an unknown archetype or an invalid override.
        """
        try:
            kind = Archetype(str(archetype).lower())
        except ValueError:
            known = ", ".join(a.value for a in Archetype)
            raise UserError(f"unknown archetype {archetype!r}: choose one of {known}") from None
        fields = with_archetype_defaults({"name": kind.value, **overrides, "archetype": kind})
        try:
            return Agent(**fields)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "agent"
            raise UserError(f"{kind.value} agent: {where}: {first['msg']}") from None


def with_archetype_defaults(fields: dict[str, Any]) -> dict[str, Any]:
    """Agent fields with the archetype's prompt, tools, tier and template where not given.

    Fields without a known `archetype` come back unchanged (validation reports it).
    """
    try:
        kind = Archetype(str(fields.get("archetype", "")).lower())
    except ValueError:
        return fields
    spec = ARCHETYPES[kind]
    defaults = {
        "system_prompt": spec.system_prompt,
        "tools": spec.tools,
        "tier": spec.tier,
        "prompt_template": spec.prompt_template,
    }
    return {**defaults, **fields, "archetype": kind}
