"""The router: one structured call to a tier's models, with every safeguard around it.

For a call to a tier it checks the budgets, then tries the tier's models in order:

1. a cached answer for the same model, prompt and parameters is returned with no call;
2. a provider whose circuit is open is skipped;
3. the provider's rate limits are waited for (up to their timeout);
4. the model is called through pydantic-ai with the output's schema, and re-asked up to
   `output_retries` times when its output does not validate; an answer cut off by
   `max_tokens` (`finish_reason == "length"`) is invalid output too;
5. an error, timeout, 429, invalid output or full rate limit moves on to the next model.

A caller that wants the answer as it is written passes `on_text`: with a provider that
streams (a local model, or `stream_answers: true`) it receives the reply's text so far
after every token, and once more with `final=True` when the reply is complete.

Every call (answered, failed or cached) is recorded in the `llm_calls` table with its
tokens and cost and emitted as an `llm.called` / `llm.failed` event on the task.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterable, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter
from pydantic_ai import Agent, ModelRetry, RunContext, Tool
from pydantic_ai.exceptions import (
    AgentRunError,
    ModelHTTPError,
    ModelTimeoutError,
    OutputTokenLimitExceeded,
    UnexpectedModelBehavior,
)
from pydantic_ai.messages import (
    AgentStreamEvent,
    ModelResponse,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    TextPartDelta,
)
from pydantic_ai.settings import ModelSettings
from pydantic_ai.usage import RunUsage

from intelligent_office.errors import ConfigError, ModelUnavailable
from intelligent_office.llm.breaker import CircuitBreaker
from intelligent_office.llm.budget import BudgetGuard, CallScope
from intelligent_office.llm.cache import cache_key
from intelligent_office.llm.config import BudgetSettings, LLMSettings, ModelRef, Tier
from intelligent_office.llm.costs import call_cost
from intelligent_office.llm.prompts import Prompt
from intelligent_office.llm.providers import ResolvedProvider, redact, resolve_providers
from intelligent_office.llm.rate_limit import ProviderRateLimiter, RateLimitExceeded
from intelligent_office.observability.telemetry import LLMCallFacts, Telemetry
from intelligent_office.store import LLMCallRecord, Store

__all__ = ["LLMReply", "LLMRouter", "TextListener"]

T = TypeVar("T")

TextListener = Callable[[str, bool], Awaitable[None]]
"""Receives a streamed reply's text so far, and `final=True` once it is complete."""

# Failures that move the router on to the next model. Anything else is a bug: raise it.
_FALLBACK_ERRORS = (
    AgentRunError,
    RateLimitExceeded,
    TimeoutError,
    ConnectionError,
    ModelUnavailable,  # a local model's server that could not start
)


@dataclass(frozen=True)
class LLMReply(Generic[T]):
    """A validated answer and what it cost."""

    output: T
    model: ModelRef
    cache_hit: bool
    input_tokens: int
    output_tokens: int
    cost_usd: float


@dataclass(frozen=True)
class _Attempt:
    """What one model call produced, for the ledger."""

    ref: ModelRef
    usage: RunUsage
    duration_seconds: float
    waited_seconds: float = 0.0
    error: str | None = None
    cache_hit: bool = False


class _CallFailed(Exception):
    """A model call that failed in a way the next model may not: carries what it consumed."""

    def __init__(self, cause: BaseException, attempt: _Attempt) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.attempt = attempt


def _describe_failure(error: BaseException, timeout_seconds: float) -> str:
    if isinstance(error, ModelTimeoutError):
        return f"no answer within {timeout_seconds:g} s"
    if isinstance(error, ModelHTTPError):
        return f"HTTP {error.status_code}: {str(error.body or error.message)[:200]}"
    if isinstance(error, UnexpectedModelBehavior):
        return f"invalid output: {error.message[:200]}"
    return f"{type(error).__name__}: {str(error)[:200]}"


_StreamHandler = Callable[[RunContext[None], AsyncIterable[AgentStreamEvent]], Awaitable[None]]


def _streamer(on_text: TextListener) -> _StreamHandler:
    """A pydantic-ai event handler that passes each reply's text so far to `on_text`."""

    async def handle(_: RunContext[None], events: AsyncIterable[AgentStreamEvent]) -> None:
        text = ""  # one call of the handler streams one model reply
        async for event in events:
            if isinstance(event, PartStartEvent) and isinstance(event.part, TextPart):
                text += event.part.content
            elif isinstance(event, PartDeltaEvent) and isinstance(event.delta, TextPartDelta):
                text += event.delta.content_delta
            else:
                continue
            await on_text(text, False)
        if text:
            await on_text(text, True)

    return handle


def _not_cut_off(context: RunContext[None], output: T) -> T:
    """Rejects a reply that stopped at `max_tokens`: it is incomplete even if it parses."""
    last = context.messages[-1] if context.messages else None
    if isinstance(last, ModelResponse) and last.finish_reason == "length":
        raise ModelRetry("your answer was cut off at the token limit: answer shorter")
    return output


class LLMRouter:
    """Calls the models of a tier with fallback, breakers, rate limits, cache and budgets."""

    def __init__(
        self,
        settings: LLMSettings,
        budgets: BudgetSettings,
        store: Store,
        *,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        telemetry: Telemetry | None = None,
    ) -> None:
        """Read the providers' keys now, so a missing one fails at start-up.

        Raises:
            ConfigError: a provider some tier uses has no key in the environment.
        """
        self.settings = settings
        self.store = store
        self.telemetry = telemetry if telemetry is not None else Telemetry()
        used = {ref.provider for tier in Tier for ref in settings.models_for(tier)}
        self.providers: dict[str, ResolvedProvider] = resolve_providers(
            settings.providers, used, environ
        )
        self.breakers = {
            name: CircuitBreaker(name, provider.settings.circuit_breaker, clock=clock)
            for name, provider in self.providers.items()
        }
        self.limiters = {
            name: ProviderRateLimiter(name, provider.settings.rate_limits, clock=clock)
            for name, provider in self.providers.items()
        }
        self.budgets = BudgetGuard(store, budgets)

    def serves(self, tier: Tier) -> bool:
        """Whether the tier (or the default tier) has models."""
        return bool(self.settings.models_for(tier))

    async def run(
        self,
        tier: Tier,
        prompt: Prompt,
        user: str,
        output_type: type[T],
        scope: CallScope,
        tools: Sequence[Tool[Any]] = (),
        on_text: TextListener | None = None,
    ) -> LLMReply[T]:
        """The tier's answer to `user` under `prompt`, validated as `output_type`.

        The model may call `tools` (pydantic-ai tools) before it answers; an answer that
        used tools is never cached, since the tools' results may differ next time.

        Raises:
            BudgetExceeded, BudgetApprovalRequired: a budget stops or holds the call.
            ModelUnavailable: every model failed; the message lists why, keys redacted.
        """
        refs = self.settings.models_for(tier)
        if not refs:
            raise ConfigError(f"no model for tier {tier.value}: set llm.tiers.{tier.value}")
        await asyncio.to_thread(self.budgets.check, scope)
        adapter: TypeAdapter[T] = TypeAdapter(output_type)
        schema = adapter.json_schema()
        failures: list[str] = []
        for ref in refs:
            provider = self.providers[ref.provider]
            parameters = self._parameters(provider)
            key = cache_key(ref, prompt, user, schema, parameters)
            cached: T | None = None
            if not tools:
                cached = await self._cached(key, adapter)
            if cached is not None:
                attempt = _Attempt(ref, RunUsage(), 0.0, cache_hit=True)
                await self._record(tier, prompt, scope, attempt, None)
                return LLMReply(cached, ref, True, 0, 0, 0.0)
            breaker = self.breakers[ref.provider]
            if not breaker.allow():
                failures.append(f"{ref}: circuit open, next trial in {breaker.retry_in():.0f} s")
                continue
            try:
                output, attempt = await self._call(
                    ref, provider, prompt, user, output_type, tools, on_text
                )
            except _CallFailed as failed:
                reason = _describe_failure(failed.cause, provider.settings.timeout_seconds)
                if isinstance(failed.cause, RateLimitExceeded):
                    breaker.release()  # a full bucket is no fault of the provider's
                else:
                    breaker.record_failure()
                failures.append(f"{ref}: {reason}")
                await self._record(tier, prompt, scope, failed.attempt, reason)
                continue
            except BaseException:
                breaker.release()  # cancelled, or a bug: free a half-open trial slot
                raise
            breaker.record_success()
            cost = await self._record(tier, prompt, scope, attempt, None)
            if not tools:
                await self._remember(key, ref, adapter, output)
            return LLMReply(
                output, ref, False, attempt.usage.input_tokens, attempt.usage.output_tokens, cost
            )
        summary = "; ".join(failures)
        raise ModelUnavailable(
            redact(f"no model of tier {tier.value} answered: {summary}", self.providers.values())
        )

    def _parameters(self, provider: ResolvedProvider) -> dict[str, Any]:
        return {
            "max_tokens": provider.settings.max_tokens,
            "temperature": self.settings.temperature,
        }

    async def _call(
        self,
        ref: ModelRef,
        provider: ResolvedProvider,
        prompt: Prompt,
        user: str,
        output_type: type[T],
        tools: Sequence[Tool[Any]] = (),
        on_text: TextListener | None = None,
    ) -> tuple[T, _Attempt]:
        settings = provider.settings
        streaming = _streamer(on_text) if on_text is not None and settings.streams else None
        estimate = (len(prompt.system) + len(user)) // 4 + settings.max_tokens
        usage = RunUsage()
        model_settings = ModelSettings(
            max_tokens=settings.max_tokens,
            timeout=settings.timeout_seconds,
            max_retries=0,  # the router retries and falls back, not the SDK
        )
        if self.settings.temperature is not None:
            model_settings["temperature"] = self.settings.temperature
        started = time.perf_counter()
        waited = 0.0
        try:
            async with self.limiters[ref.provider].slot(estimate) as reservation:
                waited = reservation.waited_seconds
                started = time.perf_counter()
                try:
                    await provider.ready()
                    async with provider.model(ref) as model:
                        agent = Agent(
                            model,
                            output_type=output_type,
                            instructions=prompt.system,
                            retries={"output": self.settings.output_retries},
                            tools=tools,
                        )
                        agent.output_validator(_not_cut_off)
                        output = await self._run_agent(
                            agent, user, model_settings, usage, streaming
                        )
                finally:
                    reservation.settle(usage.input_tokens + usage.output_tokens)
        except _FALLBACK_ERRORS as error:
            # Keep what the failed call consumed: tokens of rejected outputs still cost.
            attempt = _Attempt(ref, usage, time.perf_counter() - started, waited)
            raise _CallFailed(error, attempt) from error
        attempt = _Attempt(ref, usage, time.perf_counter() - started, waited)
        return output, attempt

    async def _run_agent(
        self,
        agent: Agent[None, T],
        user: str,
        model_settings: ModelSettings,
        usage: RunUsage,
        streaming: _StreamHandler | None,
    ) -> T:
        """The agent's output; a reply cut off at `max_tokens` is asked for again.

        pydantic-ai gives up at once on JSON truncated by the token limit (the same request
        would hit it again), but a sampled model often answers shorter the next time: the
        router re-asks up to `output_retries` times, then lets the next model try.
        """
        for attempt in range(self.settings.output_retries + 1):
            try:
                result = await agent.run(
                    user, model_settings=model_settings, usage=usage, event_stream_handler=streaming
                )
            except OutputTokenLimitExceeded:
                if attempt == self.settings.output_retries:
                    raise
                continue
            return result.output
        raise AssertionError("unreachable: the loop returns or raises")

    async def _cached(self, key: str, adapter: TypeAdapter[T]) -> T | None:
        if not self.settings.cache_ttl_seconds:
            return None
        stored = await asyncio.to_thread(self.store.llm_cache.get, key, datetime.now(UTC))
        if stored is None:
            return None
        return adapter.validate_python(stored["output"])

    async def _remember(self, key: str, ref: ModelRef, adapter: TypeAdapter[T], output: T) -> None:
        if not self.settings.cache_ttl_seconds:
            return
        expires = datetime.now(UTC) + timedelta(seconds=self.settings.cache_ttl_seconds)
        value = {"output": adapter.dump_python(output, mode="json")}
        await asyncio.to_thread(self.store.llm_cache.put, key, str(ref), value, expires)

    async def _record(
        self, tier: Tier, prompt: Prompt, scope: CallScope, attempt: _Attempt, error: str | None
    ) -> float:
        """Store the call in the ledger and as an event; returns its cost in USD."""
        provider = self.providers[attempt.ref.provider]
        usage = attempt.usage
        cost = call_cost(
            self.settings, attempt.ref, provider.settings, usage.input_tokens, usage.output_tokens
        )
        error = redact(error, self.providers.values()) if error else None
        record = LLMCallRecord(
            call_id=uuid.uuid4().hex,
            task_id=scope.task_id,
            run_id=scope.run_id,
            subtask_id=scope.subtask_id,
            agent=scope.agent,
            tier=tier.value,
            provider=attempt.ref.provider,
            model=attempt.ref.model,
            prompt_id=prompt.id,
            prompt_version=prompt.version,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cost_usd=cost or 0.0,
            cache_hit=attempt.cache_hit,
            ok=error is None,
            error=error,
            duration_seconds=attempt.duration_seconds,
            created_at=datetime.now(UTC),
        )
        await asyncio.to_thread(self._write, record, attempt, priced=cost is not None)
        self.telemetry.llm_call(
            LLMCallFacts(
                tier=record.tier,
                agent=record.agent,
                provider=record.provider,
                model=record.model,
                input_tokens=record.input_tokens,
                output_tokens=record.output_tokens,
                cost_usd=record.cost_usd,
                duration_seconds=record.duration_seconds,
                waited_seconds=attempt.waited_seconds,
                cache_hit=record.cache_hit,
                error=record.error,
                breaker_state=self.breakers[attempt.ref.provider].state.value,
            )
        )
        return record.cost_usd

    def _write(self, record: LLMCallRecord, attempt: _Attempt, *, priced: bool) -> None:
        self.store.llm_calls.add(record)
        if record.task_id is None:
            return
        self.store.events.append(
            task_id=record.task_id,
            run_id=record.run_id,
            type="llm.called" if record.ok else "llm.failed",
            payload={
                "call_id": record.call_id,
                "agent": record.agent,
                "tier": record.tier,
                "subtask_id": record.subtask_id,
                "model": f"{record.provider}:{record.model}",
                "prompt": f"{record.prompt_id}@{record.prompt_version}",
                "input_tokens": record.input_tokens,
                "output_tokens": record.output_tokens,
                "cost_usd": record.cost_usd,
                "priced": priced,
                "cache_hit": record.cache_hit,
                "duration_seconds": round(record.duration_seconds, 4),
                "rate_limit_wait_seconds": round(attempt.waited_seconds, 4),
                "error": record.error,
            },
            dedup_key=f"llm/{record.call_id}",
        )
