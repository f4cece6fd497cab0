"""The library API users import, and the archetypes the factory builds."""

from __future__ import annotations

import pytest

import intelligent_office
from intelligent_office import Agent, AgentFactory, Office, Workflow
from intelligent_office.agentkit import ARCHETYPES, AgentState, Archetype
from intelligent_office.errors import UserError
from intelligent_office.llm.config import Tier


def test_public_names() -> None:
    assert intelligent_office.__all__ == [
        "Agent",
        "AgentFactory",
        "AgentState",
        "Office",
        "TaskOutcome",
        "Workflow",
        "__version__",
    ]
    assert Office.__module__ == "intelligent_office.front_door"
    assert {s.value for s in AgentState} == {
        "pending",
        "running",
        "completed",
        "failed",
        "rate_limited",
        "budget_exceeded",
        "cancelled",
        "skipped",
        "needs_model",
    }


def test_every_archetype_has_a_prompt_and_a_tier_and_overrides_win() -> None:
    assert set(ARCHETYPES) == set(Archetype)
    critic = AgentFactory.create("Critic", name="judge", tier=Tier.PLANNER, priority=9)
    assert critic.name == "judge" and critic.archetype is Archetype.CRITIC
    assert critic.tier is Tier.PLANNER and critic.priority == 9
    assert "APPROVE" in critic.system_prompt
    researcher = AgentFactory.create(Archetype.RESEARCHER)
    assert researcher.tier is Tier.AI_TOOL and "search_documents" in researcher.tools


def test_factory_errors_name_the_problem() -> None:
    with pytest.raises(UserError, match="unknown archetype 'poet': choose one of researcher"):
        AgentFactory.create("poet")
    with pytest.raises(UserError, match="writer agent: priority: Input should be less than"):
        AgentFactory.create("writer", priority=11)


def test_a_workflow_in_code_validates_like_a_file() -> None:
    with pytest.raises(ValueError, match="cycle: a -> b -> a"):
        Workflow(
            name="w",
            agents=[Agent(name="a", dependencies=("b",)), Agent(name="b", dependencies=("a",))],
        )
