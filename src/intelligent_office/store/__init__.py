"""The SQL store: the single source of truth (SQLite by default, PostgreSQL by URL).

The records (plain dataclasses) load with the package; `Store` and the rest, which need
SQLAlchemy, load on first use, so a command that only names a record type stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from intelligent_office.store.records import (
    ApiKeyRecord,
    ApprovalRecord,
    AuditRecord,
    CostGrouping,
    CostRow,
    DeadLetterRecord,
    JournalEntry,
    LLMCallRecord,
    PendingEvent,
    RunOutcome,
    RunRecord,
    RunStatus,
    Spend,
    TaskRecord,
    ToolGapRecord,
)

if TYPE_CHECKING:
    from intelligent_office.store.approvals import approval_signal
    from intelligent_office.store.journal import Batch
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
    "RunOutcome",
    "RunRecord",
    "RunStatus",
    "Spend",
    "Store",
    "TaskRecord",
    "ToolGapRecord",
    "approval_signal",
]

_LAZY = {
    "Batch": "intelligent_office.store.journal",
    "Store": "intelligent_office.store.store",
    "approval_signal": "intelligent_office.store.approvals",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
