"""Reading plain-language requests into intents: the offline brain's entry points.

The reading itself lives in `understanding/` (normalise, fuzzy keywords, slots, one reader
per intent, clarification). The decomposer splits a task into requests and writes each
subtask's description in the canonical form (`Intent.describe`) that the same readers read
back, so planner and reviewer agree on what was asked.
"""

from intelligent_office.llm.offline.understanding import (
    Intent,
    IntentKind,
    parse_intent,
    split_requests,
)

__all__ = ["Intent", "IntentKind", "parse_intent", "split_requests"]
