"""What one reader made of a request: an intent, and the words it could not account for."""

from __future__ import annotations

from dataclasses import dataclass

from intelligent_office.llm.offline.understanding.intent import Intent

__all__ = ["Reading"]


@dataclass(frozen=True)
class Reading:
    """What one reader made of a request."""

    intent: Intent
    unexplained: tuple[str, ...]
    defaults: tuple[str, ...] = ()
    """Parameters the request did not give (a folder defaulting to `.`)."""

    @property
    def confident(self) -> bool:
        """Every word of the request is accounted for."""
        return not self.unexplained
