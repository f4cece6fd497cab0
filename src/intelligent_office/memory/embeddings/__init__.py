"""Embedders: the local MiniLM, an OpenAI-compatible endpoint, a hashing fake, and the cache."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from intelligent_office.memory.embeddings.base import Embedder, Vector
from intelligent_office.memory.embeddings.cache import CachedEmbedder
from intelligent_office.memory.embeddings.hashing import HashingEmbedder
from intelligent_office.memory.embeddings.local import (
    INSTALL_HINT,
    LocalMiniLM,
    local_embedder_missing,
)
from intelligent_office.memory.settings import EmbedderSettings

if TYPE_CHECKING:  # its HTTP client loads only when an endpoint is configured
    from intelligent_office.memory.embeddings.openai_compatible import OpenAICompatibleEmbedder

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


def build_embedder(settings: EmbedderSettings) -> Embedder:
    """The embedder the settings name (not yet loaded: the model loads on first use)."""
    if settings.kind == "openai":
        from intelligent_office.memory.embeddings.openai_compatible import (
            OpenAICompatibleEmbedder,
        )

        return OpenAICompatibleEmbedder(settings)
    return LocalMiniLM(batch_size=settings.batch_size, runtime=settings.runtime)


def __getattr__(name: str) -> Any:
    if name == "OpenAICompatibleEmbedder":
        module = importlib.import_module("intelligent_office.memory.embeddings.openai_compatible")
        return module.OpenAICompatibleEmbedder
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
