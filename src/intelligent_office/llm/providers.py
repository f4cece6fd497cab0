"""Providers: pydantic-ai models for OpenAI, OpenAI-compatible servers, Anthropic and a
local GGUF model (llama.cpp, started by the Office: `local_server`).

Keys come from environment variables, read once at start-up (`resolve_providers`): a
missing key is a ConfigError then, not a surprise on the first call. Keys are held as
`SecretStr` and never logged; `redact` scrubs them from any text that leaves the router.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import SecretStr

from intelligent_office.errors import ConfigError
from intelligent_office.llm.config import ModelRef, ProviderSettings

if TYPE_CHECKING:
    from pydantic_ai.models import Model

__all__ = ["ResolvedProvider", "redact", "resolve_providers"]

# Sent to keyless local servers: the OpenAI SDK refuses to start without some key.
_NO_KEY = "no-key-needed"


@dataclass(frozen=True)
class ResolvedProvider:
    """A provider's settings with its key read from the environment."""

    name: str
    settings: ProviderSettings
    api_key: SecretStr | None

    async def ready(self) -> None:
        """Start what a call needs first: a local model's server (loaded once per process).

        Raises:
            ConfigError: the local model file or package does not exist.
            ModelUnavailable: the local server could not start.
        """
        if self.settings.kind == "local":
            from intelligent_office.llm.local_server import local_model_of, local_server

            server = local_server(local_model_of(self.settings))
            await asyncio.to_thread(server.start)

    def model(self, ref: ModelRef) -> Model:
        """A fresh pydantic-ai model; use it as `async with model:` so its client is closed."""
        key = self.api_key.get_secret_value() if self.api_key else _NO_KEY
        # Each vendor's SDK loads only when one of its models is first built (seconds each).
        if self.settings.kind == "local":
            from pydantic_ai.models.openai import OpenAIChatModel
            from pydantic_ai.providers.openai import OpenAIProvider

            from intelligent_office.llm.local_profile import local_profile
            from intelligent_office.llm.local_server import local_model_of, local_server

            base_url = local_server(local_model_of(self.settings)).start()  # started by ready()
            return OpenAIChatModel(
                ref.model,
                provider=OpenAIProvider(base_url=base_url, api_key=key),
                profile=local_profile(),
            )
        if self.settings.kind == "anthropic":
            from pydantic_ai.models.anthropic import AnthropicModel
            from pydantic_ai.providers.anthropic import AnthropicProvider

            return AnthropicModel(
                ref.model, provider=AnthropicProvider(api_key=key, base_url=self.settings.base_url)
            )
        from pydantic_ai.models.openai import OpenAIChatModel
        from pydantic_ai.providers.openai import OpenAIProvider

        return OpenAIChatModel(
            ref.model, provider=OpenAIProvider(base_url=self.settings.base_url, api_key=key)
        )


def resolve_providers(
    providers: Mapping[str, ProviderSettings],
    used: Iterable[str],
    environ: Mapping[str, str] | None = None,
) -> dict[str, ResolvedProvider]:
    """Read the keys of the providers some tier uses.

    Raises:
        ConfigError: a provider's key variable is unset or empty.
    """
    environ = os.environ if environ is None else environ
    resolved: dict[str, ResolvedProvider] = {}
    for name in sorted(set(used)):
        settings = providers[name]
        key: SecretStr | None = None
        if settings.needs_key:
            value = environ.get(settings.key_variable, "").strip()
            if not value:
                raise ConfigError(
                    f"provider {name}: environment variable {settings.key_variable} is not set;"
                    f" export the key there (or set llm.providers.{name}.no_key: true for a"
                    " local server that needs none)"
                )
            key = SecretStr(value)
        resolved[name] = ResolvedProvider(name, settings, key)
    return resolved


def redact(text: str, providers: Iterable[ResolvedProvider]) -> str:
    """`text` with every provider key (and any 8+ character piece of one) blanked out."""
    for provider in providers:
        if provider.api_key is None:
            continue
        secret = provider.api_key.get_secret_value()
        text = text.replace(secret, "[redacted]")
        # APIs echo keys partially (`sk-abc...wxyz`): blank any long fragment too.
        for size in (16, 12, 8):
            for start in range(0, max(len(secret) - size + 1, 0)):
                fragment = secret[start : start + size]
                if fragment in text:
                    text = text.replace(fragment, "[redacted]")
    return text
