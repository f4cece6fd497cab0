"""The SQL store: the single source of truth (SQLite by default, PostgreSQL by URL)."""

from intelligent_office.store.approvals import approval_signal
from intelligent_office.store.journal import Batch
from intelligent_office.store.llm_calls import CostGrouping
from intelligent_office.store.records import (
    ApiKeyRecord,
    ApprovalRecord,
    AuditRecord,
    CostRow,
    DeadLetterRecord,
    JournalEntry,
    LLMCallRecord,
    PendingEvent,
    RunRecord,
    RunStatus,
    Spend,
    TaskRecord,
    ToolGapRecord,
)
from intelligent_office.store.store import Store

__all__ = [
    "ApiKeyRecord",
    "ApprovalRecord",
    "AuditRecord",
    "Batch",
    "CostGrouping",
    "CostRow",
    "DeadLetterRecord",
    "JournalEntry",
    "LLMCallRecord",
    "PendingEvent",
    "RunRecord",
    "RunStatus",
    "Spend",
    "Store",
    "TaskRecord",
    "ToolGapRecord",
    "approval_signal",
]
