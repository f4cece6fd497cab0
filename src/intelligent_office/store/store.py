"""The Store: one database, opened and migrated at the edge, passed down.

The repositories every run uses (tasks, runs, journal, signals, events) are built with the
Store; the others are built, and their modules imported, on first use: a worker that only
runs workflows never loads approvals, webhooks, evals, API keys, usage and the rest.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Literal

from sqlalchemy import Engine

from intelligent_office.store.db import connect, migrate
from intelligent_office.store.events import EventRepository
from intelligent_office.store.journal import JournalRepository
from intelligent_office.store.runs import RunRepository
from intelligent_office.store.signals import SignalRepository
from intelligent_office.store.tasks import TaskRepository

if TYPE_CHECKING:
    from intelligent_office.store.agents import AgentRepository
    from intelligent_office.store.api_keys import ApiKeyRepository
    from intelligent_office.store.approvals import ApprovalRepository
    from intelligent_office.store.audit import AuditRepository
    from intelligent_office.store.dead_letters import DeadLetterRepository
    from intelligent_office.store.evals import EvalRunRepository
    from intelligent_office.store.feedback import FeedbackRepository
    from intelligent_office.store.llm_cache import LLMCacheRepository
    from intelligent_office.store.llm_calls import LLMCallRepository
    from intelligent_office.store.tool_gaps import ToolGapRepository
    from intelligent_office.store.usage import UsageRepository
    from intelligent_office.store.webhooks import WebhookRepository

__all__ = ["Store"]


class Store:
    """Tasks, runs, journal, signals, events, dead letters, the LLM call ledger and cache, and
    approvals in one SQL database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.tasks = TaskRepository(engine)
        self.runs = RunRepository(engine)
        self.journal = JournalRepository(engine)
        self.signals = SignalRepository(engine)
        self.events = EventRepository(engine)

    @classmethod
    def open(cls, url: str, *, sqlite_synchronous: Literal["NORMAL", "FULL"] = "NORMAL") -> Store:
        """Connect to `url` and migrate the schema to the newest revision."""
        engine = connect(url, sqlite_synchronous=sqlite_synchronous)
        migrate(engine)
        return cls(engine)

    @cached_property
    def dead_letters(self) -> DeadLetterRepository:
        """Tasks that failed for good, with what is needed to resubmit them."""
        from intelligent_office.store.dead_letters import DeadLetterRepository

        return DeadLetterRepository(self.engine)

    @cached_property
    def llm_calls(self) -> LLMCallRepository:
        """The ledger of model calls: tokens and cost."""
        from intelligent_office.store.llm_calls import LLMCallRepository

        return LLMCallRepository(self.engine)

    @cached_property
    def llm_cache(self) -> LLMCacheRepository:
        """Model answers kept for identical requests."""
        from intelligent_office.store.llm_cache import LLMCacheRepository

        return LLMCacheRepository(self.engine)

    @cached_property
    def approvals(self) -> ApprovalRepository:
        """Human decisions asked for and given."""
        from intelligent_office.store.approvals import ApprovalRepository

        return ApprovalRepository(self.engine)

    @cached_property
    def audit(self) -> AuditRepository:
        """The audit log."""
        from intelligent_office.store.audit import AuditRepository

        return AuditRepository(self.engine)

    @cached_property
    def tool_gaps(self) -> ToolGapRepository:
        """Tools the planner asked for and did not have."""
        from intelligent_office.store.tool_gaps import ToolGapRepository

        return ToolGapRepository(self.engine)

    @cached_property
    def api_keys(self) -> ApiKeyRepository:
        """The API's keys (hashed)."""
        from intelligent_office.store.api_keys import ApiKeyRepository

        return ApiKeyRepository(self.engine)

    @cached_property
    def webhooks(self) -> WebhookRepository:
        """Webhook subscriptions and deliveries."""
        from intelligent_office.store.webhooks import WebhookRepository

        return WebhookRepository(self.engine)

    @cached_property
    def feedback(self) -> FeedbackRepository:
        """Users' feedback on results."""
        from intelligent_office.store.feedback import FeedbackRepository

        return FeedbackRepository(self.engine)

    @cached_property
    def usage(self) -> UsageRepository:
        """Usage per tenant."""
        from intelligent_office.store.usage import UsageRepository

        return UsageRepository(self.engine)

    @cached_property
    def agents(self) -> AgentRepository:
        """Stored agent definitions."""
        from intelligent_office.store.agents import AgentRepository

        return AgentRepository(self.engine)

    @cached_property
    def evals(self) -> EvalRunRepository:
        """Eval runs and their cases."""
        from intelligent_office.store.evals import EvalRunRepository

        return EvalRunRepository(self.engine)

    @property
    def dialect(self) -> str:
        """The database in use: "sqlite" or "postgresql"."""
        return self.engine.dialect.name

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()
