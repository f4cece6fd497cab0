"""What an agent can do offline, without a model: its archetype's job with its tools, or no job.

Offline, an agent does work it can do by rule: a supervisor splits a request at its
"then" and "and then" and gives each part to the specialist whose skills fit it; it joins
the specialists' results; an agent with `calculate` calculates the expression in its
request; with `search_documents` it answers from the documents; with `summarize_file` or
`read_file` it reads the file its request names. Anything else (answering a question
from nothing, writing without material) needs a model: the agent fails with
`ModelNeeded` and says so, instead of echoing its prompt as an answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from intelligent_office.errors import ModelNeeded, ToolError

if TYPE_CHECKING:
    from pydantic_ai import Tool as PydanticTool

__all__ = ["DECOMPOSE", "SYNTHESIZE", "decompose", "synthesize", "use_tools"]

DECOMPOSE = "Decompose the request into subtasks"
"""How the supervisor pattern's decomposition prompt starts."""
SYNTHESIZE = "Synthesize one answer to the request from the specialists' results."
"""How the supervisor pattern's synthesis prompt starts."""

_PARTS = re.compile(r"\s*(?:;|,?\s+and then\s+|,?\s+then\s+|,\s+also\s+)\s*", re.IGNORECASE)
_EXPRESSION = re.compile(r"[-(]*\s*\d[\d.]*(?:\s*(?:\*\*|[-+*/^%])\s*[-(]*\s*\d[\d.]*\s*\)*)+")
_PATH = re.compile(r"(?<![\w/])((?:[\w.-]+/)*[\w-]+\.[A-Za-z0-9]{1,6})\b")
# Words in a part of a request that call for a skill (tool or archetype).
_CUES: dict[str, re.Pattern[str]] = {
    "calculate": re.compile(r"\bcalculat|\bcompute|\d\s*(?:\*\*|[-+*/^%])\s*\d", re.I),
    "search_documents": re.compile(r"\b(documents?|docs|notes|my files)\b", re.I),
    "summarize_file": re.compile(r"\bsummar", re.I),
    "summarizer": re.compile(r"\bsummar", re.I),
    "read_file": re.compile(r"\bread\b", re.I),
    "write_file": re.compile(r"\bwrite\b.*\bto\b", re.I),
    "writer": re.compile(r"\b(write|draft|compose)\b", re.I),
    "analyst": re.compile(r"\banaly[sz]", re.I),
    "researcher": re.compile(r"\b(research|find|look up|search)\b", re.I),
}


@dataclass(frozen=True)
class _Specialist:
    name: str
    skills: tuple[str, ...]


def _menu(prompt: str) -> tuple[str, list[_Specialist]]:
    """The request and the specialists listed in a decomposition prompt."""
    request = ""
    specialists: list[_Specialist] = []
    in_menu = False
    for line in prompt.splitlines():
        if line.startswith("Request: "):
            request = line.removeprefix("Request: ").strip()
        elif line.startswith("Capabilities:"):
            in_menu = True
        elif in_menu and line.startswith("- "):
            name, _, skills = line[2:].partition(":")
            specialists.append(
                _Specialist(name.strip(), tuple(s.strip() for s in skills.split(",")))
            )
    return request, specialists


def _fits(part: str, specialist: _Specialist) -> str | None:
    """The specialist's skill this part of the request calls for, if any."""
    lowered = part.lower()
    for skill in specialist.skills:
        cue = _CUES.get(skill)
        if skill and (skill.replace("_", " ") in lowered or (cue and cue.search(part))):
            return skill
    return None


def decompose(prompt: str) -> str:
    """`skill: part` lines: each part of the request for the first specialist it fits.

    Raises:
        ModelNeeded: a part fits no specialist (choosing one needs a model).
    """
    request, specialists = _menu(prompt)
    parts = [p.strip(" .") for p in _PARTS.split(request) if p.strip(" .")]
    lines: list[str] = []
    for part in parts or [request]:
        match = next(((s, k) for s in specialists if (k := _fits(part, s))), None)
        if match is None:
            known = "; ".join(f"{s.name}: {', '.join(s.skills)}" for s in specialists)
            raise ModelNeeded(
                f"needs a model: offline, no specialist's skills fit {part!r} ({known});"
                " configure a model for the supervisor's tier, or name a skill in the request"
            )
        specialist, skill = match
        # assign() gives a line to the first specialist with the skill: name one it owns.
        owned = [
            k
            for k in specialist.skills
            if not any(k in s.skills for s in specialists[: specialists.index(specialist)])
        ]
        lines.append(f"{owned[0] if owned else skill}: {part}")
    return "\n".join(lines)


def synthesize(prompt: str) -> str:
    """The specialists' results, joined in order (a model would merge them)."""
    results = prompt.partition("\n\nContext:\n")[2] or prompt
    sections = re.split(r"^## [^\n]*\n", results, flags=re.MULTILINE)
    return "\n\n".join(s.strip() for s in sections if s.strip())


async def _call(tool: PydanticTool[Any], **arguments: Any) -> Any:
    """Call one toolbox tool (policy applies); its JSON result, or ToolError for a refusal."""
    call: Any = tool.function  # the toolbox's `call(**arguments)`: no run context
    text = await call(**arguments)
    if isinstance(text, str) and text.startswith(("error:", "refused:")):
        raise ToolError(text)
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


async def use_tools(request: str, tools: Sequence[PydanticTool[Any]]) -> str | None:
    """The answer the agent's tools give to its request by rule, or None when none applies.

    Raises:
        ToolError: the tool refused or failed (its message says why).
    """
    named = {tool.name: tool for tool in tools}
    expression = _EXPRESSION.search(request)
    if "calculate" in named and expression is not None:
        found = await _call(named["calculate"], expression=expression.group().strip())
        return f"{found['expression']} = {found['value']}"
    path = _PATH.search(request)
    if "summarize_file" in named and path is not None:
        summary = await _call(named["summarize_file"], path=path.group(1))
        return " ".join(summary["summary"])
    if "read_file" in named and path is not None:
        read = await _call(named["read_file"], path=path.group(1))
        return str(read.get("content", read)) if isinstance(read, dict) else str(read)
    if "search_documents" in named:
        found = await _call(named["search_documents"], query=request)
        sources = "; ".join(
            f"[{n}] {r['location']}" for n, r in enumerate(found.get("results", []), 1)
        )
        return f"{found['answer']}\n\n{sources}" if sources else str(found["answer"])
    return None
