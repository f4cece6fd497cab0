"""Contracts: the pydantic models every layer speaks.

The names load on first use: a settings module that names one contract (a risk level)
loads that contract, not all of them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from intelligent_office.models.criteria import Criterion, CriterionKind, CriterionResult
    from intelligent_office.models.event import Event
    from intelligent_office.models.execution_result import (
        ExecutionMetrics,
        ExecutionResult,
        ExecutionStatus,
        StepResult,
        StepStatus,
        ToolCall,
    )
    from intelligent_office.models.plan import Plan, PlanMetadata, Step
    from intelligent_office.models.review import Review, ReviewDecision, ReviewScores
    from intelligent_office.models.risk import RiskLevel
    from intelligent_office.models.subtask import Subtask, SubtaskGraph
    from intelligent_office.models.task import Task, TaskConstraints
    from intelligent_office.models.tool_gap import MissingTool, ToolGapReport
    from intelligent_office.models.validation import (
        ValidationDecision,
        ValidationIssue,
        ValidationLayer,
        ValidationReport,
    )

__all__ = [
    "Criterion",
    "CriterionKind",
    "CriterionResult",
    "Event",
    "ExecutionMetrics",
    "ExecutionResult",
    "ExecutionStatus",
    "Plan",
    "PlanMetadata",
    "Review",
    "ReviewDecision",
    "ReviewScores",
    "RiskLevel",
    "Step",
    "StepResult",
    "StepStatus",
    "Subtask",
    "SubtaskGraph",
    "Task",
    "TaskConstraints",
    "ToolCall",
    "MissingTool",
    "ToolGapReport",
    "ValidationDecision",
    "ValidationIssue",
    "ValidationLayer",
    "ValidationReport",
]

_LAZY = {
    "Criterion": "intelligent_office.models.criteria",
    "CriterionKind": "intelligent_office.models.criteria",
    "CriterionResult": "intelligent_office.models.criteria",
    "Event": "intelligent_office.models.event",
    "ExecutionMetrics": "intelligent_office.models.execution_result",
    "ExecutionResult": "intelligent_office.models.execution_result",
    "ExecutionStatus": "intelligent_office.models.execution_result",
    "MissingTool": "intelligent_office.models.tool_gap",
    "Plan": "intelligent_office.models.plan",
    "PlanMetadata": "intelligent_office.models.plan",
    "Review": "intelligent_office.models.review",
    "ReviewDecision": "intelligent_office.models.review",
    "ReviewScores": "intelligent_office.models.review",
    "RiskLevel": "intelligent_office.models.risk",
    "Step": "intelligent_office.models.plan",
    "StepResult": "intelligent_office.models.execution_result",
    "StepStatus": "intelligent_office.models.execution_result",
    "Subtask": "intelligent_office.models.subtask",
    "SubtaskGraph": "intelligent_office.models.subtask",
    "Task": "intelligent_office.models.task",
    "TaskConstraints": "intelligent_office.models.task",
    "ToolCall": "intelligent_office.models.execution_result",
    "ToolGapReport": "intelligent_office.models.tool_gap",
    "ValidationDecision": "intelligent_office.models.validation",
    "ValidationIssue": "intelligent_office.models.validation",
    "ValidationLayer": "intelligent_office.models.validation",
    "ValidationReport": "intelligent_office.models.validation",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
