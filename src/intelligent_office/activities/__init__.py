"""The Office loop's activities (decompose, plan, validate, execute, review) and the plan validator.

Not to be confused with `agentkit/`, the agents developers define: these are the steps
the Office loop in `office/` hands to a runtime."""

from intelligent_office.activities.office_activities import OfficeActivities, workspace_of
from intelligent_office.activities.records import MemoryRecords, OfficeRecords, StoreRecords
from intelligent_office.activities.validator import PlanValidator

__all__ = [
    "MemoryRecords",
    "OfficeActivities",
    "OfficeRecords",
    "PlanValidator",
    "StoreRecords",
    "workspace_of",
]
