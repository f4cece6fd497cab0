"""What the offline brain can be asked, and the one canonical way each request is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Intent", "IntentKind"]


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
