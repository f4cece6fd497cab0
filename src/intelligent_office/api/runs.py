"""`/runs`: every stored run, its steps, and forking it from one of them.

A run belongs to its task's user: another tenant's run is a 404, as if it did not
exist. `POST /runs/{id}/fork` is `office fork`: a new task and run that replay the
original's steps up to the chosen one and run on from there, with that step's input
or the task's text edited.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Header, HTTPException, Path, Query, Request, status
from pydantic import BaseModel, Field, JsonValue
from sse_starlette import EventSourceResponse

from intelligent_office.api.auth import CurrentPrincipal, Operator, Principal
from intelligent_office.api.events_stream import PING_SECONDS, task_events
from intelligent_office.api.json_bodies import StrictJsonRoute
from intelligent_office.api.limits import check_task_quotas, rate_limited
from intelligent_office.api.responses import errors
from intelligent_office.api.state import ApiState, api_state
from intelligent_office.errors import UserError
from intelligent_office.run_kinds import RunKind, run_kind
from intelligent_office.store import RunRecord, RunStatus

__all__ = ["router"]

router = APIRouter(
    prefix="/runs",
    tags=["runs"],
    dependencies=[Depends(rate_limited)],
    route_class=StrictJsonRoute,
)

State = Annotated[ApiState, Depends(api_state)]
RunId = Annotated[str, Path(max_length=64)]


class RunPublic(BaseModel):
    """One run: an Office task's, a YAML graph workflow's or an agent workflow's."""

    run_id: str
    task_id: str
    kind: RunKind = Field(
        description="`task` (the Office loop), `graph` (a YAML workflow) or `agents`."
    )
    workflow: str
    status: RunStatus
    starts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None


class StepPublic(BaseModel):
    """A step a run recorded: a fork point."""

    number: int = Field(description="1 is the first step to finish.")
    key: str
    activity: str
    ok: bool
    error: str | None
    recorded_at: str = Field(description="When the step finished (its result was journaled).")
    started_at: str | None = Field(
        description="When the step started, as measured; null on older journal rows."
    )
    input: JsonValue = Field(
        description=(
            "What the step was given; an input over 16,000 characters is an object"
            ' `{"_truncated_input": true, "chars": N, "head": "..."}`.'
        )
    )


class ForkRequestBody(BaseModel):
    """Where to fork a run and what to change."""

    at: str = Field(
        min_length=1, max_length=512, description="A step's number or key (`GET .../steps`)."
    )
    input: JsonValue = Field(
        default=None, description="JSON merged into the step's input (objects key by key)."
    )
    description: str | None = Field(
        default=None, min_length=1, max_length=20_000, pattern=r"\S", description="New text."
    )


class ForkPublic(BaseModel):
    """The run a fork queued, and where it came from."""

    task_id: str
    run_id: str
    parent_task_id: str
    parent_run_id: str
    step: str
    replayed_steps: int


def _public(run: RunRecord) -> RunPublic:
    return RunPublic(
        run_id=run.run_id,
        task_id=run.task_id,
        kind=run_kind(run.workflow),
        workflow=run.workflow,
        status=run.status,
        starts=run.starts,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        error=run.error,
    )


def _visible_run(state: ApiState, principal: Principal, run_id: str) -> RunRecord:
    run = state.store.runs.get(run_id)
    task = state.store.tasks.get(run.task_id) if run is not None else None
    if run is None or task is None or not principal.owns(task.user_id):
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=f"no run {run_id}")
    return run


@router.get(
    "",
    summary="List runs of every kind, newest first",
    response_model=list[RunPublic],
    responses=errors(401, 429),
)
def list_runs(
    principal: CurrentPrincipal,
    state: State,
    run_status: Annotated[RunStatus | None, Query(alias="status")] = None,
    kind: Annotated[RunKind | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[RunPublic]:
    """Runs of your tasks (an admin's: everyone's), of every kind or of one."""
    runs = state.store.runs.recent(
        status=run_status,
        workflow=kind.workflow if kind is not None else None,
        user_id=None if principal.is_admin else principal.user_id,
        limit=limit,
    )
    return [_public(run) for run in runs]


@router.get(
    "/{run_id}",
    summary="One run",
    response_model=RunPublic,
    responses=errors(401, 404, 429),
)
def get_run(run_id: RunId, principal: CurrentPrincipal, state: State) -> RunPublic:
    """The run, if it is yours."""
    return _public(_visible_run(state, principal, run_id))


@router.get(
    "/{run_id}/steps",
    summary="The steps a run recorded: the points it can be forked at",
    response_model=list[StepPublic],
    responses=errors(401, 404, 429),
)
def list_steps(run_id: RunId, principal: CurrentPrincipal, state: State) -> list[StepPublic]:
    """Steps in the order they finished."""
    from intelligent_office.run_forks import run_steps

    _visible_run(state, principal, run_id)
    return [StepPublic(**vars(step)) for step in run_steps(state.store, run_id)]


@router.post(
    "/{run_id}/fork",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Re-run a run from one of its steps, with that step's input or the text edited",
    response_model=ForkPublic,
    responses=errors(400, 401, 403, 404, 429),
)
async def fork(
    run_id: RunId,
    principal: Operator,
    state: State,
    body: Annotated[ForkRequestBody, Body()],
) -> ForkPublic:
    """Queue the fork; the steps before `at` are replayed from the original's journal."""
    from intelligent_office.run_forks import ForkRequest, fork_run

    _visible_run(state, principal, run_id)
    check_task_quotas(state, principal)
    request = ForkRequest(
        run_id=run_id, at=body.at, input_patch=body.input, description=body.description
    )
    try:
        made = await asyncio.to_thread(fork_run, state.store, state.worker, request)
    except UserError as error:
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail=str(error)) from None
    return ForkPublic(
        task_id=made.task.task_id,
        run_id=made.run.run_id,
        parent_task_id=made.parent_task_id,
        parent_run_id=made.parent_run_id,
        step=made.step,
        replayed_steps=made.replayed_steps,
    )


@router.get(
    "/{run_id}/events",
    summary="Stream a run's events (Server-Sent Events), of any kind of run",
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "The events of the run's task, stored then live; the stream ends"
            " when the run has finished. Same format as `/tasks/{id}/events`.",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **errors(401, 404, 429),
    },
)
async def stream_run_events(
    run_id: RunId,
    request: Request,
    principal: CurrentPrincipal,
    state: State,
    last_event_id: Annotated[int, Header(alias="Last-Event-ID", ge=0, le=2**31)] = 0,
    after: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> EventSourceResponse:
    """Replay the stored events after `Last-Event-ID`, then stream new ones live."""
    run = await asyncio.to_thread(_visible_run, state, principal, run_id)
    start = max(last_event_id, after)
    return EventSourceResponse(task_events(state, run.task_id, start, request), ping=PING_SECONDS)
