"""The SQL store: the single source of truth (SQLite by default, PostgreSQL by URL)."""

from intelligent_office.store.journal import Batch
from intelligent_office.store.records import (
    DeadLetterRecord,
    JournalEntry,
    PendingEvent,
    RunRecord,
    RunStatus,
    TaskRecord,
)
from intelligent_office.store.store import Store

__all__ = [
    "DeadLetterRecord",
    "Batch",
    "JournalEntry",
    "PendingEvent",
    "RunRecord",
    "RunStatus",
    "Store",
    "TaskRecord",
]
