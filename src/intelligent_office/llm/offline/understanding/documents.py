"""The reader of questions about the documents ingested into memory.

"Search my documents for X", "what do my notes say about X", and the same asked around a
question: "how many days ...? check my notes", "according to my documents, when ...".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from intelligent_office.llm.offline.understanding.intent import Intent, IntentKind
from intelligent_office.llm.offline.understanding.reading import Reading

if TYPE_CHECKING:
    from intelligent_office.llm.offline.understanding.request import Request

__all__ = ["read_documents"]

_DOCUMENTS = re.compile(
    r"^(?:(?:search|look\s+(?:through|in))\s+(?:my|the|our)\s+"
    r"(?:ingested\s+)?(?:documents|docs|notes)\s+(?:for|about)"
    r"|what\s+do\s+(?:my|the|our)\s+(?:documents|docs|notes)\s+say\s+about)"
    r"\s+(?P<query>.+?)\s*$",
    re.IGNORECASE,
)


# The same asked around a question: "how many days ...? check my notes", "according to
# my documents, when ...".
_MY_DOCUMENTS = r"(?:my|the|our)\s+(?:ingested\s+)?(?:documents|docs|notes)"
_DOCUMENTS_AFTER = re.compile(
    r"^(?P<query>.+?)[\s?.!,;:-]+(?:please\s+)?(?:check|search|look\s+(?:through|in)|use|see"
    r"|according\s+to|based\s+on|from)\s+" + _MY_DOCUMENTS + r"[\s.?!]*$",
    re.IGNORECASE,
)
_DOCUMENTS_BEFORE = re.compile(
    r"^(?:according\s+to|based\s+on|from|in)\s+"
    + _MY_DOCUMENTS
    + r"\s*[,:;-]?\s+(?P<query>.+?)\s*$",
    re.IGNORECASE,
)


def read_documents(request: Request) -> Reading | None:
    """Passages of the documents ingested into memory."""
    text = request.masked.text
    match = _DOCUMENTS.match(text) or _DOCUMENTS_AFTER.match(text) or _DOCUMENTS_BEFORE.match(text)
    if match is None:
        return None
    query = match.group("query").strip(".,;:!?\"'`) ")
    if not query:
        return None
    return Reading(Intent(IntentKind.SEARCH_DOCUMENTS, {"query": query}), ())
