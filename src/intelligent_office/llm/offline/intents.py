"""Reading plain-language requests into intents the offline brain knows how to carry out.

Each rule is a regular expression over one request. The decomposer splits a task into
requests and writes each subtask's description in a canonical form that the same
rules read back, so planner and reviewer agree on what was asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Intent", "IntentKind", "parse_intent", "split_requests"]


class IntentKind(StrEnum):
    """What the offline brain can do."""

    TRACE = "trace"
    FIND_FUNCTION = "find_function"
    LIST_FILES = "list_files"
    READ_FILE = "read_file"
    SEARCH = "search"
    SUMMARIZE = "summarize"
    CALCULATE = "calculate"
    PYTHON = "python"
    WRITE_FILE = "write_file"
    SEARCH_DOCUMENTS = "search_documents"


@dataclass(frozen=True)
class Intent:
    """A request the offline brain understood, with its parameters."""

    kind: IntentKind
    params: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        """The canonical description; `parse_intent` reads it back to the same intent."""
        p = self.params
        match self.kind:
            case IntentKind.TRACE:
                return (
                    f"Trace the call sequence from {p['start']}() to {p['end']}(){_in(p['root'])}"
                )
            case IntentKind.FIND_FUNCTION:
                return f"Find where {p['name']}() is defined and who calls it{_in(p['root'])}"
            case IntentKind.LIST_FILES:
                return f"List {p['pattern']} files{_in(p['path'])}"
            case IntentKind.READ_FILE:
                return f"Read the file {p['path']}"
            case IntentKind.SEARCH:
                return f"Search for {_quote(p['pattern'])}{_in(p['path'])}"
            case IntentKind.SUMMARIZE:
                return f"Summarize the file {p['path']}"
            case IntentKind.CALCULATE:
                return f"Calculate {p['expression']}"
            case IntentKind.PYTHON:
                return f"Run this Python code:\n```python\n{p['code']}\n```"
            case IntentKind.WRITE_FILE:
                return f"Write {_quote(p['content'])} to the file {p['path']}"
            case IntentKind.SEARCH_DOCUMENTS:
                return f"Search my documents for {p['query']}"


def _in(path: str) -> str:
    return "" if path == "." else f" in {path}"


def _quote(text: str) -> str:
    return f'"{text}"' if '"' not in text else f"'{text}'"


_NAME = r"(?P<{0}>[A-Za-z_][\w.]*)(?:\(\))?"
_WHERE = r"(?:\s+(?:in|within|inside|under)\s+(?P<root>[^\s,;]+))?"
_QUOTED = r"(?:\"(?P<dq>[^\"]+)\"|'(?P<sq>[^']+)'|`(?P<bq>[^`]+)`|(?P<bare>\S+))"
_CODE = re.compile(r"```(?:python|py)?\s*\n?(?P<code>.*?)```|`(?P<inline>[^`]+)`", re.DOTALL)
_ARITHMETIC = re.compile(r"^[\d\s.,_+\-*/%^()×÷a-z]+$", re.IGNORECASE)
_MATH_WORDS = {
    "sqrt", "log", "log10", "exp", "sin", "cos", "tan", "abs", "round", "min", "max",
    "floor", "ceil", "pi", "e",
}  # fmt: skip
# A question about code names a function with "()" or says what it wants to know.
_CODE_CUE = re.compile(
    r"\(\)|\b(?:defined|declared|implemented|definition|calls|where|function|method|class)\b",
    re.IGNORECASE,
)
_PRONOUNS = {"it", "this", "that", "them", "these", "those"}


def _trace_rule(verb: str, ends: str) -> re.Pattern[str]:
    names = ends.format(start=_NAME.format("start"), end=_NAME.format("end"))
    return re.compile(rf"^(?:please\s+)?{verb}[^;\n]*?\b{names}{_WHERE}\s*$", re.IGNORECASE)


_RULES: list[tuple[IntentKind, re.Pattern[str]]] = [
    # "Trace ... from A() to B() [in DIR]", "Show the calls between A and B in DIR" ...
    (IntentKind.TRACE, _trace_rule(r"trace\b", r"from\s+{start}\s+(?:to|until|through)\s+{end}")),
    (IntentKind.TRACE, _trace_rule(r"trace\b", r"between\s+{start}\s+and\s+{end}")),
    (
        IntentKind.TRACE,
        _trace_rule(
            r"(?:show|find|explain|list)\b[^;\n]*?\bcall\w*\b",
            r"from\s+{start}\s+(?:to|until|through)\s+{end}",
        ),
    ),
    (
        IntentKind.TRACE,
        _trace_rule(
            r"(?:show|find|explain|list)\b[^;\n]*?\bcall\w*\b", r"between\s+{start}\s+and\s+{end}"
        ),
    ),
    (
        IntentKind.FIND_FUNCTION,
        re.compile(
            r"^(?:please\s+)?(?:find|show|locate|tell me)?\s*(?:where\s+)?(?:is\s+)?"
            r"(?:the\s+)?(?:definition\s+of\s+)?(?:function\s+|method\s+|class\s+)?"
            + _NAME.format("name")
            + r"\s*(?:is\s+)?(?:defined|declared|implemented)?(?:\s+and\s+who\s+calls\s+it)?"
            + _WHERE
            + r"\s*\??$",
            re.IGNORECASE,
        ),
    ),
    (
        IntentKind.FIND_FUNCTION,
        re.compile(
            r"^(?:please\s+)?(?:who|what)\s+calls\s+" + _NAME.format("name") + _WHERE + r"\s*\??$",
            re.IGNORECASE,
        ),
    ),
    (
        IntentKind.LIST_FILES,
        re.compile(
            r"^(?:please\s+)?list\s+(?:all\s+|the\s+)?(?:(?P<pattern>[\w*.?\-]+)\s+)?files"
            r"(?:\s+(?:in|under)\s+(?P<path>[^\s,;]+))?\s*$",
            re.IGNORECASE,
        ),
    ),
    (
        # "Search my documents for X", "What do my notes say about X?" (memory's documents)
        IntentKind.SEARCH_DOCUMENTS,
        re.compile(
            r"^(?:please\s+)?(?:(?:search|look\s+(?:through|in))\s+(?:my|the|our)\s+"
            r"(?:ingested\s+)?(?:documents|docs|notes)\s+(?:for|about)"
            r"|what\s+do\s+(?:my|the|our)\s+(?:documents|docs|notes)\s+say\s+about)"
            r"\s+(?P<query>.+?)\s*\??$",
            re.IGNORECASE,
        ),
    ),
    (
        IntentKind.SEARCH,
        re.compile(
            r"^(?:please\s+)?(?:search|grep|look)\s+(?:for\s+)?" + _QUOTED + _WHERE + r"\s*$",
            re.IGNORECASE,
        ),
    ),
    (
        IntentKind.SUMMARIZE,
        re.compile(
            r"^(?:please\s+)?(?:summari[sz]e|give\s+(?:me\s+)?a\s+summary\s+of)\s+(?:the\s+)?"
            r"(?:file\s+)?(?P<path>[^\s,;]+)\s*$",
            re.IGNORECASE,
        ),
    ),
    (
        IntentKind.READ_FILE,
        re.compile(
            r"^(?:please\s+)?(?:read|show|print|cat|display|open)\s+(?:me\s+)?(?:the\s+)?"
            r"(?:contents?\s+of\s+(?:the\s+)?)?(?:file\s+)?(?P<path>[^\s,;]+)\s*$",
            re.IGNORECASE,
        ),
    ),
    (
        # "Write "hello" to notes.md", "save 'a list' into the file out/list.txt"
        IntentKind.WRITE_FILE,
        re.compile(
            r"^(?:please\s+)?(?:write|save|put)\s+(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|`(?P<bq>[^`]*)`)"
            r"\s+(?:to|into|in)\s+(?:the\s+)?(?:file\s+)?(?P<path>[^\s,;]+)\s*$",
            re.IGNORECASE,
        ),
    ),
    (
        IntentKind.CALCULATE,
        re.compile(
            r"^(?:please\s+)?(?:calculate|compute|evaluate|what\s+is|what's|how\s+much\s+is)\s+"
            r"(?P<expression>.+?)\s*[?=]?\s*$",
            re.IGNORECASE,
        ),
    ),
]

_PYTHON = re.compile(
    r"^(?:please\s+)?(?:run|execute)\s+(?:this|the(?:\s+following)?|a|my)?\s*python\b",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?\"'`)"
_SPLIT = re.compile(
    r"\s*;\s*|\.\s+(?=[A-Z])|,?\s+and\s+then\s+|,\s*then\s+|\s+then\s+"
    r"|\s+and\s+(?=(?:also\s+)?(?:read|list|search|summari[sz]e|calculate|compute|trace|run|show)\b)",
    re.IGNORECASE,
)
_THEN = re.compile(r"then", re.IGNORECASE)


def parse_intent(text: str) -> Intent | None:
    """The intent of one request, or None when no rule matches it."""
    request = text.strip()
    if _PYTHON.match(request):
        code = _CODE.search(request)
        if code is None:
            return None
        snippet = (code.group("code") or code.group("inline") or "").strip("\n")
        return Intent(IntentKind.PYTHON, {"code": snippet}) if snippet.strip() else None
    request = _strip_full_stop(request)
    for kind, rule in _RULES:
        match = rule.match(request)
        if match is None:
            continue
        intent = _intent_from(kind, match)
        if intent is not None:
            return intent
    return None


def _strip_full_stop(request: str) -> str:
    request = request.rstrip("!")
    # "... in examples/app." ends a sentence; "... in ." names the current directory.
    if request.endswith(".") and not re.search(r"(?:^|[\s/.])\.$", request):
        return request[:-1]
    return request


def _clean_path(text: str) -> str:
    """A path as written, without the sentence's punctuation around it ("./x" stays)."""
    return text.rstrip(_TRAILING).lstrip("\"'`(") or "."


def _intent_from(kind: IntentKind, match: re.Match[str]) -> Intent | None:
    groups = {key: value for key, value in match.groupdict().items() if value}
    root = _clean_path(groups.get("root", "."))
    match kind:
        case IntentKind.TRACE:
            return Intent(kind, {"start": groups["start"], "end": groups["end"], "root": root})
        case IntentKind.FIND_FUNCTION:
            name = groups["name"].rstrip(_TRAILING)
            # "find README.md" or "show config" are not questions about code.
            if name.rsplit(".", 1)[-1].lower() in _FILE_SUFFIXES or name.lower() in _WORDS:
                return None
            if not _CODE_CUE.search(match.string):
                return None
            return Intent(kind, {"name": name, "root": root})
        case IntentKind.LIST_FILES:
            pattern = groups.get("pattern", "*")
            if pattern.lower() in ("python", "py"):
                pattern = "*.py"
            elif pattern.isalnum() and pattern.lower() not in ("all", "the"):
                pattern = f"*.{pattern.lower()}"
            return Intent(kind, {"pattern": pattern, "path": _clean_path(groups.get("path", "."))})
        case IntentKind.SEARCH:
            pattern = groups.get("dq") or groups.get("sq") or groups.get("bq") or groups["bare"]
            return Intent(kind, {"pattern": pattern, "path": root})
        case IntentKind.SUMMARIZE | IntentKind.READ_FILE:
            path = _clean_path(groups["path"])
            return None if path.lower() in _PRONOUNS else Intent(kind, {"path": path})
        case IntentKind.SEARCH_DOCUMENTS:
            return Intent(kind, {"query": groups["query"].strip(_TRAILING)})
        case IntentKind.WRITE_FILE:
            content = next(
                (match[group] for group in ("dq", "sq", "bq") if match[group] is not None), ""
            )
            return Intent(kind, {"content": content, "path": _clean_path(groups["path"])})
        case IntentKind.CALCULATE:
            expression = groups["expression"].strip().rstrip("?=").strip()
            has_digit = any(char.isdigit() for char in expression)
            words = set(re.findall(r"[a-z]\w*", expression.lower()))
            if not has_digit or not _ARITHMETIC.match(expression) or words - _MATH_WORDS:
                return None
            return Intent(kind, {"expression": expression})
        case _:
            return None


# Words a loose "find X" rule must not take for a function name.
_FILE_SUFFIXES = {"md", "txt", "py", "json", "yaml", "yml", "toml", "cfg", "ini", "html", "csv"}
_WORDS = {"all", "files", "file", "the", "me", "out", "a", "an", "it", "this", "that"}


def split_requests(text: str) -> list[tuple[str, bool]]:
    """Split a task into requests, each with whether it must wait for the one before.

    A task carrying code is not split, so a snippet containing "then" or ";" stays
    whole. Otherwise a split into requests that all make sense wins over reading the
    whole task as one request, so no part of a task is silently dropped.
    """
    whole = text.strip()
    if "`" in whole:
        return [(whole, False)]
    parts = _split(whole)
    if len(parts) > 1 and all(parse_intent(part) is not None for part, _ in parts):
        return parts
    if parse_intent(whole) is not None:
        return [(whole, False)]
    return parts


_LEADING_THEN = re.compile(r"^(?:and\s+)?then\b[\s,]*", re.IGNORECASE)


def _add_piece(parts: list[tuple[str, bool]], piece: str, after_then: bool) -> None:
    """Add one request; a leading "Then" ("... defined. Then trace ...") makes it wait."""
    piece = piece.strip()
    stripped = _LEADING_THEN.sub("", piece)
    if stripped:
        parts.append((stripped, after_then or stripped != piece))


def _split(whole: str) -> list[tuple[str, bool]]:
    parts: list[tuple[str, bool]] = []
    position = 0
    after_then = False
    for separator in _SPLIT.finditer(whole):
        _add_piece(parts, whole[position : separator.start()], after_then)
        after_then = bool(_THEN.search(separator.group(0)))
        position = separator.end()
    _add_piece(parts, whole[position:], after_then)
    return parts or [(whole, False)]
