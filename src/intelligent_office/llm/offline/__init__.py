"""The offline brain: rules that decompose, plan and review what the built-in tools can do."""

from intelligent_office.llm.offline.brain import OfflineBrain
from intelligent_office.llm.offline.intents import Intent, IntentKind, parse_intent

__all__ = ["Intent", "IntentKind", "OfflineBrain", "parse_intent"]
