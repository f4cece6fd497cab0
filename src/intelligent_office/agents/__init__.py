"""The Office's agents as activities, and the plan validator."""

from intelligent_office.agents.activities import OfficeAgents, workspace_of
from intelligent_office.agents.records import MemoryRecords, OfficeRecords, StoreRecords
from intelligent_office.agents.validator import PlanValidator

__all__ = [
    "MemoryRecords",
    "OfficeAgents",
    "OfficeRecords",
    "PlanValidator",
    "StoreRecords",
    "workspace_of",
]
