"""A conversation read as a whole: a follow-up is completed from the turns before it.

"trace main to process_data in examples/sample_app", then "and who calls process_data?"
asks about the same folder; "who calls it?" means the function talked about last; "what
about load_records?" asks the last question again about another function; and "yes"
after "Did you mean: ...?" confirms the proposed request. Each user turn is resolved in
order against what the turns before it established (the last intent, folder, function
and file), and the last one comes back as a self-contained request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from intelligent_office.llm.offline.understanding.intent import Intent, IntentKind
from intelligent_office.llm.offline.understanding.normalise import prepare
from intelligent_office.llm.offline.understanding.slots import Kind, tokenise
from intelligent_office.llm.offline.understanding.understand import understand
from intelligent_office.models.tool_gap import proposed_request_in

__all__ = ["Turn", "is_confirmation", "resolve_conversation"]

_YES = re.compile(
    r"^(?:yes|yeah|yep|yup|y|sure|ok|okay|please\s+do|do\s+it|go\s+ahead|correct|right"
    r"|that's\s+right|that\s+is\s+right|exactly|yes\s+please|please)"
    r"(?:[\s,]+(?:please|thanks|thank\s+you|do\s+it|go\s+ahead))*[\s!.]*$",
    re.IGNORECASE,
)
_PRONOUN = re.compile(r"\b(?:it|that|this|them|that\s+one|this\s+one)\b", re.IGNORECASE)
_WHAT_ABOUT = re.compile(r"^(?:and\s+)?(?:what|how)\s+about\b", re.IGNORECASE)
_FOLDER = {
    IntentKind.TRACE: "root",
    IntentKind.FIND_FUNCTION: "root",
    IntentKind.LIST_FILES: "path",
    IntentKind.SEARCH: "path",
}


@dataclass(frozen=True)
class Turn:
    """One message of a conversation."""

    role: str
    text: str


@dataclass
class _Context:
    """What the conversation has established so far."""

    intent: Intent | None = None
    folder: str | None = None
    functions: list[str] = field(default_factory=list)
    file: str | None = None
    proposal: str | None = None

    def learn(self, intent: Intent) -> None:
        self.intent = intent
        key = _FOLDER.get(intent.kind)
        if key is not None and intent.params[key] != ".":
            self.folder = intent.params[key]
        for name in ("start", "end", "name"):
            if name in intent.params:
                self.functions.append(intent.params[name])
        if intent.kind in (IntentKind.READ_FILE, IntentKind.SUMMARIZE, IntentKind.WRITE_FILE):
            self.file = intent.params["path"]


def is_confirmation(text: str) -> bool:
    """A "yes" to a question back."""
    return _YES.match(text.strip()) is not None


def resolve_conversation(turns: list[Turn]) -> str:
    """The last user turn as a request that stands on its own."""
    context = _Context()
    resolved = ""
    for turn in turns:
        if turn.role == "assistant":
            context.proposal = proposed_request_in(turn.text)
            continue
        if turn.role != "user" or not turn.text.strip():
            continue
        resolved = _resolve(turn.text.strip(), context)
        context.proposal = None
        intent = understand(resolved).intent
        if intent is not None:
            context.learn(intent)
    return resolved


def _resolve(text: str, context: _Context) -> str:
    if is_confirmation(text) and context.proposal:
        return context.proposal
    understood = understand(text)
    if understood.intent is not None:
        return _with_folder(understood.intent, understood.defaults, context) or text
    for attempt in (_pronoun_replaced(text, context), _asked_again(text, context)):
        if attempt is not None:
            return attempt
    return text


def _with_folder(intent: Intent, defaults: tuple[str, ...], context: _Context) -> str | None:
    """The intent in the folder talked about before, when this turn named none."""
    key = _FOLDER.get(intent.kind)
    if key is None or key not in defaults or context.folder is None:
        return None
    return Intent(intent.kind, {**intent.params, key: context.folder}).describe()


def _pronoun_replaced(text: str, context: _Context) -> str | None:
    """ "who calls it?" with "it" the function (or file) talked about last."""
    if not _PRONOUN.search(text):
        return None
    for referent in [*reversed(context.functions[-2:]), context.file]:
        if referent is None:
            continue
        candidate = _PRONOUN.sub(referent, text, count=1)
        understood = understand(candidate)
        if understood.intent is not None:
            return _with_folder(understood.intent, understood.defaults, context) or candidate
    return None


def _asked_again(text: str, context: _Context) -> str | None:
    """ "what about load_records?": the last request again, about another function or file."""
    if context.intent is None:
        return None
    masked = prepare(text)
    tokens = tokenise(masked)
    names = [t.name() for t in tokens if t.strong_name or t.kind is Kind.WORD and t.name()]
    paths = [t.path() for t in tokens if t.kind is Kind.PATH]
    if not _WHAT_ABOUT.match(text) and len(tokens) > 3:
        return None
    params = dict(context.intent.params)
    kind = context.intent.kind
    if paths and paths[0] and "path" in params and kind is not IntentKind.SEARCH:
        params["path"] = paths[0]
    elif names and names[-1]:
        slot = {"start": "end", "name": "name", "pattern": "pattern"}
        key = next((slot[k] for k in ("start", "name", "pattern") if k in params), None)
        if key is None:
            return None
        params[key] = names[-1]
    else:
        return None
    return replace(context.intent, params=params).describe()
