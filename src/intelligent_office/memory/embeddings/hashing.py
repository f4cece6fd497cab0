"""A fast, deterministic stand-in embedder for tests and synthetic benchmarks.

Words and word pairs are hashed into a fixed number of buckets (the "hashing trick"):
texts sharing words get similar vectors, with no model at all. It knows no synonyms,
so it is no substitute for MiniLM where meaning matters.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence

from intelligent_office.memory.embeddings.base import Vector

__all__ = ["HashingEmbedder"]

_WORD = re.compile(r"[a-z0-9]+")


class HashingEmbedder:
    """Feature-hashed bag of words and word pairs, normalized to unit length."""

    def __init__(self, dimensions: int = 256) -> None:
        self._dimensions = dimensions
        self.texts_embedded = 0

    @property
    def name(self) -> str:
        """`hashing:<dimensions>`."""
        return f"hashing:{self._dimensions}"

    def dimensions(self) -> int:
        """The bucket count."""
        return self._dimensions

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        """One vector per text."""
        self.texts_embedded += len(texts)
        return [self._one(text) for text in texts]

    def _one(self, text: str) -> Vector:
        words = _WORD.findall(text.lower())
        features = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
        vector = [0.0] * self._dimensions
        for feature in features:
            digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
            bucket = int.from_bytes(digest[:4], "little") % self._dimensions
            vector[bucket] += 1.0 if digest[4] & 1 else -1.0
        norm = math.sqrt(sum(x * x for x in vector)) or 1.0
        return [x / norm for x in vector]
