"""`/api/agents`: agents created from an archetype, run on demand, read and deleted live.

An agent is a row in the store, so creating or deleting one needs no restart. Running
one (`POST /api/agents/{id}/runs`) makes a one-agent workflow answered by the configured
models (the router) or the offline fallback, run and stored by the server's Office as the
agent owner's run (listed by `GET /runs`), and counts the execution.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Response, status
from pydantic import BaseModel, ConfigDict, Field

from intelligent_office.agentkit import AgentFactory, Archetype, Workflow
from intelligent_office.agentkit.agent import Agent
from intelligent_office.api.auth import CurrentPrincipal, Operator, Principal
from intelligent_office.api.json_bodies import StrictJsonRoute
from intelligent_office.api.limits import RateLimited
from intelligent_office.api.responses import errors
from intelligent_office.api.state import ApiState, api_state
from intelligent_office.limits import MAX_TASK_DESCRIPTION_CHARS
from intelligent_office.llm.config import Tier
from intelligent_office.store.agents import AgentRecord
from intelligent_office.workspaces import resolve_tenant_workspace

__all__ = ["router"]

router = APIRouter(prefix="/api/agents", tags=["agents"], route_class=StrictJsonRoute)
State = Annotated[ApiState, Depends(api_state)]


class AgentCreate(BaseModel):
    """An agent from an archetype; every other field overrides the archetype's default.

    `sources` (local files) cannot be set over the API: agents here read only their input.
    """

    model_config = ConfigDict(extra="forbid")

    archetype: Archetype
    name: str | None = Field(default=None, max_length=128)
    description: str | None = None
    tier: Tier | None = None
    model: str | None = None
    system_prompt: str | None = None
    prompt_template: str | None = None
    tools: list[str] | None = None
    capabilities: list[str] | None = None
    max_retries: int | None = None
    timeout: float | None = None
    cost_limit: float | None = None
    priority: int | None = None


class AgentPublic(BaseModel):
    """An agent, its last state and how its executions went."""

    id: str
    name: str
    archetype: str
    status: str = Field(description="idle before the first run, else the last run's state")
    executions: int
    successes: int
    success_rate: float | None
    agent: dict[str, Any]
    created_at: datetime
    last_run_at: datetime | None


class AgentRunCreate(BaseModel):
    """What to ask the agent."""

    model_config = ConfigDict(extra="forbid")

    input: str = Field(min_length=1, max_length=MAX_TASK_DESCRIPTION_CHARS)


class AgentRunPublic(BaseModel):
    """One execution's result."""

    agent_id: str
    run_id: str
    state: str
    model: str | None
    output: str | None
    error: str | None


def _public(record: AgentRecord) -> AgentPublic:
    return AgentPublic(
        id=record.id,
        name=record.name,
        archetype=record.archetype,
        status=record.last_state or "idle",
        executions=record.executions,
        successes=record.successes,
        success_rate=record.success_rate,
        agent=record.spec,
        created_at=record.created_at,
        last_run_at=record.last_run_at,
    )


def _owned(state: ApiState, principal: Principal, agent_id: str) -> AgentRecord:
    record = state.store.agents.get(agent_id)
    if record is None or not principal.owns(record.user_id):
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=f"no agent {agent_id}")
    return record


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create an agent from an archetype",
    responses=errors(400, 401, 403, 429),
)
def create_agent(
    body: AgentCreate, principal: Operator, _: RateLimited, state: State
) -> AgentPublic:
    """The archetype's prompt, tools and tier, with the fields you give overriding them."""
    overrides = body.model_dump(exclude={"archetype"}, exclude_none=True)
    agent = AgentFactory.create(body.archetype, **overrides)  # UserError -> 400
    record = state.store.agents.create(
        user_id=principal.user_id,
        name=agent.name,
        archetype=body.archetype.value,
        spec=agent.model_dump(mode="json"),
    )
    return _public(record)


@router.get("/{agent_id}", summary="An agent's status", responses=errors(401, 404, 429))
def get_agent(
    agent_id: str, principal: CurrentPrincipal, _: RateLimited, state: State
) -> AgentPublic:
    """Its spec, last state, executions and success rate."""
    return _public(_owned(state, principal, agent_id))


@router.delete(
    "/{agent_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete an agent",
    responses=errors(401, 403, 404, 429),
)
def delete_agent(agent_id: str, principal: Operator, _: RateLimited, state: State) -> Response:
    """Gone at once: the next request for it is a 404."""
    _owned(state, principal, agent_id)
    state.store.agents.delete(agent_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{agent_id}/runs",
    summary="Run an agent once",
    responses=errors(400, 401, 403, 404, 429),
)
async def run_agent(
    agent_id: str, body: AgentRunCreate, principal: Operator, _: RateLimited, state: State
) -> AgentRunPublic:
    """Ask the agent `input`; the execution is counted in its success rate."""
    record = await asyncio.to_thread(_owned, state, principal, agent_id)
    agent = Agent.model_validate({**record.spec, "sources": [], "dependencies": []})
    # The agent's tools work in its owner's own directory, never the server's.
    workspace = await asyncio.to_thread(
        resolve_tenant_workspace, state.settings, record.user_id, None
    )
    run = await state.office.run_workflow(
        Workflow(name=f"agent-{agent.name}", input=body.input, agents=[agent], workspace=workspace),
        user_id=record.user_id,
    )
    result = run.agents[agent.name]
    await asyncio.to_thread(state.store.agents.record_execution, agent_id, result.state.value)
    return AgentRunPublic(
        agent_id=agent_id,
        run_id=run.id,
        state=result.state.value,
        model=result.model,
        output=result.output,
        error=result.error,
    )
