"""LLM settings: providers, the tiers that use them, prices, the response cache, budgets.

In the settings YAML file:

    llm:
      providers:
        local:                     # any OpenAI-compatible server (Ollama, vLLM, llama.cpp ...)
          kind: openai
          base_url: http://127.0.0.1:11434/v1
          no_key: true
        claude:
          kind: anthropic          # key from ANTHROPIC_API_KEY unless api_key_env says otherwise
          rate_limits: {requests_per_minute: 50, concurrent_requests: 4}
      tiers:
        default: [local:qwen2.5-coder, claude:claude-haiku-4-5]   # tried in this order
        reviewer: [claude:claude-haiku-4-5]
    budgets:
      task: {max_cost_usd: 0.50}
      agents: {planner: {max_tokens: 20000}}
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from intelligent_office.limits import MAX_APPROVAL_TIMEOUT_SECONDS, MAX_REQUEST_TIMEOUT_SECONDS
from intelligent_office.llm.breaker import BreakerSettings
from intelligent_office.llm.rate_limit import RateLimits

__all__ = [
    "Budget",
    "BudgetSettings",
    "LLMSettings",
    "ModelPrice",
    "ModelRef",
    "ProviderSettings",
    "Tier",
]


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

    kind: Literal["openai", "anthropic"] = Field(
        description="openai: OpenAI and every OpenAI-compatible server; anthropic: Claude."
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
    prices: dict[str, ModelPrice] = Field(
        default_factory=dict,
        description="Price overrides by `provider:model` or model name; genai-prices otherwise.",
    )

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
