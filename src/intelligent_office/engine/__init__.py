"""The engine: DAG model, validation, levels, critical path and the scheduler."""

from intelligent_office.engine.graph import CriticalPath, Graph, Node
from intelligent_office.engine.result import GraphResult, GraphStatus, NodeResult, NodeStatus
from intelligent_office.engine.retry import RetryPolicy
from intelligent_office.engine.scheduler import FailureMode, run_graph

__all__ = [
    "CriticalPath",
    "FailureMode",
    "Graph",
    "GraphResult",
    "GraphStatus",
    "Node",
    "NodeResult",
    "NodeStatus",
    "RetryPolicy",
    "run_graph",
]
