"""The embedder interface: texts in, unit-length vectors out, the same way every time."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

__all__ = ["Embedder", "Vector", "cache_key"]

Vector = list[float]


def cache_key(model: str, text: str) -> str:
    """The `embedding_cache` key of a text under a model: SHA-256 of both, in hex."""
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()


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
