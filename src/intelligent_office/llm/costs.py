"""What a model call cost: configured prices first, then the `genai-prices` package."""

from __future__ import annotations

from genai_prices import Usage, calc_price

from intelligent_office.llm.config import LLMSettings, ModelRef, ProviderSettings

__all__ = ["call_cost"]


def call_cost(
    settings: LLMSettings,
    ref: ModelRef,
    provider: ProviderSettings,
    input_tokens: int,
    output_tokens: int,
) -> float | None:
    """USD for these tokens; None when no price is known (a local model with no override)."""
    configured = settings.price_of(ref)
    if configured is not None:
        return (
            input_tokens * configured.input_per_mtok + output_tokens * configured.output_per_mtok
        ) / 1_000_000
    if provider.kind == "local":
        return 0.0  # the Office runs it on its own machine: tokens are counted, not billed
    try:
        price = calc_price(
            Usage(input_tokens=input_tokens, output_tokens=output_tokens),
            model_ref=ref.model,
            provider_id=provider.kind,
        )
    except LookupError:
        return None
    return float(price.total_price)
