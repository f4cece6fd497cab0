"""Embeddings from any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Ollama, vLLM ...)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import httpx2

from intelligent_office.errors import ConfigError, TransientError
from intelligent_office.memory.embeddings.base import Vector
from intelligent_office.memory.settings import EmbedderSettings

__all__ = ["OpenAICompatibleEmbedder"]


class OpenAICompatibleEmbedder:
    """POSTs batches of texts to `<base_url>/embeddings` and reads `data[i].embedding`."""

    def __init__(self, settings: EmbedderSettings) -> None:
        if not settings.base_url:
            raise ConfigError("memory.embedder.base_url is required for kind: openai")
        self.settings = settings
        self.texts_embedded = 0
        self._dimensions: int | None = None
        headers = {"Content-Type": "application/json"}
        if not settings.no_key:
            key = os.environ.get(settings.key_variable)
            if not key:
                raise ConfigError(
                    f"memory.embedder: the key variable {settings.key_variable} is not set:"
                    " export it, or set memory.embedder.no_key: true for a local server"
                )
            headers["Authorization"] = f"Bearer {key}"
        self._client = httpx2.Client(
            base_url=settings.base_url.rstrip("/") + "/",
            headers=headers,
            timeout=settings.timeout_seconds,
        )

    @property
    def name(self) -> str:
        """`openai:<model>@<base_url>`: the same model name on two servers may differ."""
        return f"openai:{self.settings.model}@{self.settings.base_url}"

    def dimensions(self) -> int:
        """Learned from the first embedding (one probe request if nothing was embedded yet)."""
        if self._dimensions is None:
            self.embed(["dimensions probe"])
        assert self._dimensions is not None
        return self._dimensions

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        """Embed in batches of `batch_size`; a 5xx, 429 or network error is transient."""
        vectors: list[Vector] = []
        size = self.settings.batch_size
        for start in range(0, len(texts), size):
            vectors.extend(self._batch(list(texts[start : start + size])))
        return vectors

    def _batch(self, texts: list[str]) -> list[Vector]:
        try:
            response = self._client.post(
                "embeddings", json={"model": self.settings.model, "input": texts}
            )
        except httpx2.HTTPError as error:
            raise TransientError(f"embedding endpoint unreachable: {error}") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientError(f"embedding endpoint answered {response.status_code}")
        if response.status_code >= 400:
            raise ConfigError(
                f"embedding endpoint answered {response.status_code}: {_message(response)};"
                " check memory.embedder (model, base_url, key)"
            )
        data = response.json().get("data")
        if not isinstance(data, list) or len(data) != len(texts):
            raise TransientError("embedding endpoint returned a malformed body (no data list)")
        ordered = sorted(data, key=lambda item: int(item.get("index", 0)))
        vectors = [[float(x) for x in item["embedding"]] for item in ordered]
        self._dimensions = len(vectors[0]) if vectors else self._dimensions
        self.texts_embedded += len(texts)
        return vectors

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()


def _message(response: httpx2.Response) -> str:
    try:
        body: Any = response.json()
    except ValueError:
        return response.text[:200]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message", error))[:200]
    return str(error or body)[:200]
