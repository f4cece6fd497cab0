"""The Office loop as deterministic workflow code."""

from intelligent_office.office.contracts import (
    DeadLetterCategory,
    OfficeInput,
    OfficeOutput,
    SubtaskOutcome,
    SubtaskStatus,
    TaskStatus,
)
from intelligent_office.office.workflow import OFFICE_WORKFLOW, office_workflow, run_office

__all__ = [
    "OFFICE_WORKFLOW",
    "DeadLetterCategory",
    "OfficeInput",
    "OfficeOutput",
    "SubtaskOutcome",
    "SubtaskStatus",
    "TaskStatus",
    "office_workflow",
    "run_office",
]
