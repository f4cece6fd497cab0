"""The embedder interface: texts in, unit-length vectors out, the same way every time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

__all__ = ["Embedder", "Vector"]

Vector = list[float]


class Embedder(Protocol):
    """Turns texts into vectors; one name per model, because vectors of two models never mix."""

    @property
    def name(self) -> str:
        """The model, e.g. `local:all-MiniLM-L6-v2`: it names the cache entries and vector table."""
        ...

    def dimensions(self) -> int:
        """Length of every vector (an endpoint may be asked once to find out)."""
        ...

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        """One vector per text, in order; blocking (call it from a thread in async code)."""
        ...
