"""When the brain is unsure: what it understood, and the closest request it can do."""

from __future__ import annotations

from dataclasses import dataclass

from intelligent_office.llm.offline.understanding.intent import Intent, IntentKind
from intelligent_office.llm.offline.understanding.request import Request
from intelligent_office.llm.offline.understanding.slots import Kind, looks_like_path
from intelligent_office.models.tool_gap import CLARIFICATION_PREFIX

__all__ = ["Clarification", "closest_request", "understood_text"]


@dataclass(frozen=True)
class Clarification:
    """A question back: what was understood, and a request to confirm."""

    understood: str
    proposal: Intent

    def question(self) -> str:
        """`Did you mean: ...?`, the line a "yes" confirms."""
        return f"{CLARIFICATION_PREFIX}{self.proposal.describe()}?"


def closest_request(request: Request) -> Intent | None:
    """A request built from the slots alone: two functions, one function, or one file."""
    names = [
        token.name() or ""
        for token in request.tokens
        if token.strong_name or (token.kind is Kind.LITERAL and token.name() is not None)
    ]
    where = request.fork().location() or "."
    if len(names) >= 2:
        return Intent(IntentKind.TRACE, {"start": names[0], "end": names[1], "root": where})
    if len(names) == 1:
        return Intent(IntentKind.FIND_FUNCTION, {"name": names[0], "root": where})
    files = [t.path() for t in request.tokens if t.kind is Kind.PATH and looks_like_path(t.text)]
    if len(files) == 1 and files[0] not in (".", ".."):
        return Intent(IntentKind.READ_FILE, {"path": files[0] or "."})
    return None


def understood_text(request: Request) -> str:
    """The slots of a request, in words: "the functions main() and x(), the folder app"."""
    names = [t.name() for t in request.tokens if t.strong_name]
    paths = [t.path() for t in request.tokens if t.kind is Kind.PATH]
    literals = [t.text for t in request.tokens if t.kind is Kind.LITERAL]
    parts = []
    if names:
        parts.append(
            ("the function " if len(names) == 1 else "the functions ")
            + _and([f"{n}()" for n in names])
        )
    if paths:
        parts.append(
            ("the path " if len(paths) == 1 else "the paths ") + _and([p or "." for p in paths])
        )
    if literals:
        parts.append("the text " + _and([f'"{text}"' for text in literals]))
    return ", ".join(parts)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
