"""The Store: one database, opened and migrated at the edge, passed down."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import Engine

from intelligent_office.store.agents import AgentRepository
from intelligent_office.store.api_keys import ApiKeyRepository
from intelligent_office.store.approvals import ApprovalRepository
from intelligent_office.store.audit import AuditRepository
from intelligent_office.store.db import connect, migrate
from intelligent_office.store.dead_letters import DeadLetterRepository
from intelligent_office.store.evals import EvalRunRepository
from intelligent_office.store.events import EventRepository
from intelligent_office.store.feedback import FeedbackRepository
from intelligent_office.store.journal import JournalRepository
from intelligent_office.store.llm_cache import LLMCacheRepository
from intelligent_office.store.llm_calls import LLMCallRepository
from intelligent_office.store.runs import RunRepository
from intelligent_office.store.signals import SignalRepository
from intelligent_office.store.tasks import TaskRepository
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
        self.dead_letters = DeadLetterRepository(engine)
        self.llm_calls = LLMCallRepository(engine)
        self.llm_cache = LLMCacheRepository(engine)
        self.approvals = ApprovalRepository(engine)
        self.audit = AuditRepository(engine)
        self.tool_gaps = ToolGapRepository(engine)
        self.api_keys = ApiKeyRepository(engine)
        self.webhooks = WebhookRepository(engine)
        self.feedback = FeedbackRepository(engine)
        self.usage = UsageRepository(engine)
        self.agents = AgentRepository(engine)
        self.evals = EvalRunRepository(engine)

    @classmethod
    def open(cls, url: str, *, sqlite_synchronous: Literal["NORMAL", "FULL"] = "NORMAL") -> Store:
        """Connect to `url` and migrate the schema to the newest revision."""
        engine = connect(url, sqlite_synchronous=sqlite_synchronous)
        migrate(engine)
        return cls(engine)

    @property
    def dialect(self) -> str:
        """The database in use: "sqlite" or "postgresql"."""
        return self.engine.dialect.name

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()
