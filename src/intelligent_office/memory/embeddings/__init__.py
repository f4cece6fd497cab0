"""Embedders: the local MiniLM, an OpenAI-compatible endpoint, a hashing fake, and the cache.

The names load on first use: the embedder's helper process (`embedder_process`) imports
this package without the cache's SQLAlchemy, and an endpoint's HTTP client loads only
when one is configured.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from intelligent_office.memory.embeddings.base import Embedder, Vector
    from intelligent_office.memory.embeddings.cache import CachedEmbedder
    from intelligent_office.memory.embeddings.hashing import HashingEmbedder
    from intelligent_office.memory.embeddings.local import (
        INSTALL_HINT,
        LocalMiniLM,
        local_embedder_missing,
    )
    from intelligent_office.memory.embeddings.openai_compatible import OpenAICompatibleEmbedder
    from intelligent_office.memory.settings import EmbedderSettings

__all__ = [
    "INSTALL_HINT",
    "CachedEmbedder",
    "Embedder",
    "HashingEmbedder",
    "LocalMiniLM",
    "OpenAICompatibleEmbedder",
    "Vector",
    "build_embedder",
    "local_embedder_missing",
]

_HOMES = {
    "Embedder": "intelligent_office.memory.embeddings.base",
    "Vector": "intelligent_office.memory.embeddings.base",
    "CachedEmbedder": "intelligent_office.memory.embeddings.cache",
    "HashingEmbedder": "intelligent_office.memory.embeddings.hashing",
    "INSTALL_HINT": "intelligent_office.memory.embeddings.local",
    "LocalMiniLM": "intelligent_office.memory.embeddings.local",
    "local_embedder_missing": "intelligent_office.memory.embeddings.local",
    "OpenAICompatibleEmbedder": "intelligent_office.memory.embeddings.openai_compatible",
}


def build_embedder(settings: EmbedderSettings) -> Embedder:
    """The embedder the settings name (not yet loaded: the model loads on first use)."""
    if settings.kind == "openai":
        from intelligent_office.memory.embeddings.openai_compatible import (
            OpenAICompatibleEmbedder,
        )

        return OpenAICompatibleEmbedder(settings)
    from intelligent_office.memory.embeddings.local import LocalMiniLM

    return LocalMiniLM(batch_size=settings.batch_size, runtime=settings.runtime)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
