"""Agent workflows for Python developers: agents, archetypes, patterns, YAML, schedules.

    from intelligent_office import Agent, Workflow, Office

The Office (`intelligent_office.front_door`) runs them, each a stored run; this package is
the layer below it: the workflow model, the patterns and the `WorkflowRunner` that runs
one on a runtime.
"""

from typing import TYPE_CHECKING, Any

from intelligent_office.agentkit.agent import Agent, Archetype
from intelligent_office.agentkit.archetypes import ARCHETYPES, AgentFactory
from intelligent_office.agentkit.durable import AGENT_WORKFLOW, AgentWorkflowInput, agent_workflow
from intelligent_office.agentkit.models import AgentModel, ModelAnswer, OfflineModel
from intelligent_office.agentkit.runner import AgentOutput, WorkflowBudget
from intelligent_office.agentkit.status import AgentState
from intelligent_office.agentkit.toolbox import AgentToolbox, ToolUse
from intelligent_office.agentkit.workflow import (
    ParallelSpec,
    PipelineSpec,
    PipelineStage,
    ReflectiveSpec,
    SupervisorSpec,
    Workflow,
)
from intelligent_office.agentkit.workflow_run import RunStatus, SystemStatus, WorkflowRun
from intelligent_office.agentkit.workflow_runner import WorkflowRunner

if TYPE_CHECKING:
    from intelligent_office.agentkit.pydantic_model import PydanticAIModel
    from intelligent_office.agentkit.router_model import RouterModel

# Loaded on first use: they bring the model SDKs (tens of MB) that the offline path never needs.
_LAZY = {
    "PydanticAIModel": "intelligent_office.agentkit.pydantic_model",
    "RouterModel": "intelligent_office.agentkit.router_model",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AGENT_WORKFLOW",
    "ARCHETYPES",
    "Agent",
    "AgentFactory",
    "AgentModel",
    "AgentOutput",
    "AgentState",
    "AgentToolbox",
    "AgentWorkflowInput",
    "Archetype",
    "ModelAnswer",
    "OfflineModel",
    "ParallelSpec",
    "PipelineSpec",
    "PipelineStage",
    "PydanticAIModel",
    "ReflectiveSpec",
    "RouterModel",
    "RunStatus",
    "SupervisorSpec",
    "SystemStatus",
    "ToolUse",
    "Workflow",
    "WorkflowBudget",
    "WorkflowRun",
    "WorkflowRunner",
    "agent_workflow",
]
