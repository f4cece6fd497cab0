"""Offline understanding: plain-language requests read into intents, without a model.

Modules, in the order a request goes through them:

- `normalise`: literals set aside, NFKC, plain quotes, no politeness or contractions;
- `fuzzy`: keywords within one edit ("Trcae" is "trace");
- `slots`: tokens — names of code, paths, globs, literals, numbers;
- `request`, `readers`, `calculation`: one reader per intent, scored by what it explains;
- `understand`: the surest reading, or a clarification ("Did you mean: ...?");
- `split`: a task cut into requests, context sentences dropped;
- `conversation`: an elliptical follow-up completed from earlier turns.

Pure Python and regular expressions: no model is loaded, a decision takes well under a
millisecond (benchmarks/understanding_bench.py).
"""

from intelligent_office.llm.offline.understanding.clarification import Clarification
from intelligent_office.llm.offline.understanding.intent import Intent, IntentKind
from intelligent_office.llm.offline.understanding.split import split_requests
from intelligent_office.llm.offline.understanding.understand import (
    Understanding,
    parse_intent,
    understand,
)

__all__ = [
    "Clarification",
    "Intent",
    "IntentKind",
    "Understanding",
    "parse_intent",
    "split_requests",
    "understand",
]
