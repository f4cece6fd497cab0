"""Agent workflows for Python developers: agents, archetypes, patterns, YAML, schedules.

from intelligent_office import Agent, Workflow, Office
"""

from intelligent_office.agentkit.agent import Agent, Archetype
from intelligent_office.agentkit.archetypes import ARCHETYPES, AgentFactory
from intelligent_office.agentkit.models import (
    AgentModel,
    ModelAnswer,
    OfflineModel,
    PydanticAIModel,
    RouterModel,
)
from intelligent_office.agentkit.office import Office, RunStatus, SystemStatus, WorkflowRun
from intelligent_office.agentkit.runner import AgentOutput, WorkflowBudget
from intelligent_office.agentkit.status import AgentState
from intelligent_office.agentkit.workflow import (
    ParallelSpec,
    PipelineSpec,
    PipelineStage,
    ReflectiveSpec,
    SupervisorSpec,
    Workflow,
)

__all__ = [
    "ARCHETYPES",
    "Agent",
    "AgentFactory",
    "AgentModel",
    "AgentOutput",
    "AgentState",
    "Archetype",
    "ModelAnswer",
    "OfflineModel",
    "Office",
    "ParallelSpec",
    "PipelineSpec",
    "PipelineStage",
    "PydanticAIModel",
    "ReflectiveSpec",
    "RouterModel",
    "RunStatus",
    "SupervisorSpec",
    "SystemStatus",
    "Workflow",
    "WorkflowBudget",
    "WorkflowRun",
]
