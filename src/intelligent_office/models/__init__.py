"""Contracts: the pydantic models every layer speaks."""

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
