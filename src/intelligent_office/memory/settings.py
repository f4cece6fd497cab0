"""How memory is configured: the embedder, retrieval, plan reuse and document chunking."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from intelligent_office.limits import MAX_REQUEST_TIMEOUT_SECONDS

__all__ = ["EmbedderSettings", "MemorySettings"]


class EmbedderSettings(BaseModel):
    """Which model turns text into vectors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["local", "openai"] = Field(
        default="local",
        description="local: all-MiniLM-L6-v2 on the CPU, offline (the `memory` extra);"
        " openai: any OpenAI-compatible /v1/embeddings endpoint.",
    )
    runtime: Literal["numpy", "torch"] = Field(
        default="numpy",
        description="local: numpy (light, fast to load) or torch (sentence-transformers);"
        " the same weights and, to about 1e-7, the same vectors.",
    )
    model: str = Field(
        default="all-MiniLM-L6-v2",
        min_length=1,
        description="The endpoint's model name (openai); the local model is always MiniLM.",
    )
    base_url: str | None = Field(
        default=None, description="The endpoint, e.g. http://127.0.0.1:11434/v1 (openai)."
    )
    api_key_env: str | None = Field(
        default=None,
        description="Environment variable holding the key (default OPENAI_API_KEY).",
    )
    no_key: bool = Field(default=False, description="The endpoint needs no key.")
    batch_size: int = Field(default=64, ge=1, le=2048, description="Texts per model call.")
    timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        le=MAX_REQUEST_TIMEOUT_SECONDS,
        allow_inf_nan=False,
        description="Per endpoint request.",
    )

    @model_validator(mode="after")
    def _endpoint_named(self) -> EmbedderSettings:
        if self.kind == "openai" and not self.base_url:
            raise ValueError(
                "an openai-compatible embedder needs base_url (e.g. http://127.0.0.1:11434/v1)"
            )
        return self

    @property
    def key_variable(self) -> str:
        """The environment variable the endpoint's key is read from."""
        return self.api_key_env or "OPENAI_API_KEY"


class MemorySettings(BaseModel):
    """Memory configuration (nested in the service settings as `memory`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(
        default=True,
        description="Plan memory in the Office loop and the search_documents tool.",
    )
    embedder: EmbedderSettings = Field(default_factory=EmbedderSettings)
    top_k: int = Field(
        default=5, ge=1, le=50, description="Similar successes (and failures) shown the planner."
    )
    reuse: bool = Field(
        default=True, description="Reuse a past successful plan for a near-identical subtask."
    )
    reuse_threshold: float = Field(
        default=0.95,
        gt=0,
        le=1,
        description="Cosine similarity a past subtask needs before its plan is reused.",
    )
    reuse_min_score: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="Reuse score a plan needs: successes raise it, failures and poor ratings"
        " lower it (one success, unrated: 0.67).",
    )
    chunk_size: int = Field(
        default=800, ge=100, le=20000, description="Characters per document chunk, at most."
    )
    chunk_overlap: int = Field(
        default=100, ge=0, description="Characters a chunk repeats from the one before."
    )
    max_file_bytes: int = Field(
        default=20 * 1024 * 1024, gt=0, description="Larger files are skipped by ingest."
    )
    recency_half_life_days: float = Field(
        default=30.0, gt=0, description="Recency boost halves every this many days."
    )
    recency_weight: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="How much recency adds to the fused rank score (0: none).",
    )

    @model_validator(mode="after")
    def _overlap_fits(self) -> MemorySettings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        return self
