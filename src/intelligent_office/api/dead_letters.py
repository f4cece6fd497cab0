"""`/dlq`: tasks that could not be finished, and resubmitting them.

The same rules as `office dlq`: a retry is a new task (optionally with a new
description); a dead letter already retried needs `again`. A user sees only dead
letters of their own tasks.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, status

from intelligent_office.api.auth import CurrentPrincipal, Operator
from intelligent_office.api.json_bodies import StrictJsonRoute
from intelligent_office.api.limits import check_task_quotas, rate_limited
from intelligent_office.api.responses import errors
from intelligent_office.api.schemas import DeadLetterPublic, DeadLetterRetry, SubmittedTask
from intelligent_office.api.state import ApiState, api_state
from intelligent_office.api.submission import submitted
from intelligent_office.errors import UserError
from intelligent_office.store import DeadLetterRecord
from intelligent_office.workspaces import resolve_tenant_workspace

__all__ = ["router"]

router = APIRouter(
    prefix="/dlq",
    tags=["dead letters"],
    dependencies=[Depends(rate_limited)],
    route_class=StrictJsonRoute,
)

State = Annotated[ApiState, Depends(api_state)]


def _public(record: DeadLetterRecord) -> DeadLetterPublic:
    return DeadLetterPublic(
        id=record.id,
        task_id=record.task_id,
        run_id=record.run_id,
        category=record.category,
        reason=record.reason,
        created_at=record.created_at,
        retried_at=record.retried_at,
        retry_task_id=record.retry_task_id,
    )


@router.get(
    "",
    summary="List dead letters, newest first",
    response_model=list[DeadLetterPublic],
    responses=errors(401, 429),
)
def list_dead_letters(
    principal: CurrentPrincipal,
    state: State,
    category: Annotated[str | None, Query(max_length=32)] = None,
    pending_only: Annotated[bool, Query(description="Only those not retried yet.")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[DeadLetterPublic]:
    """Dead letters of your tasks (an admin's: everyone's)."""
    records = state.store.dead_letters.recent(
        category=category,
        pending_only=pending_only,
        user_id=None if principal.is_admin else principal.user_id,
        limit=limit,
        offset=offset,
    )
    return [_public(record) for record in records]


@router.post(
    "/{dead_letter_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Resubmit a dead letter as a new task",
    response_model=SubmittedTask,
    responses=errors(400, 401, 403, 404, 409, 429),
)
async def retry_dead_letter(
    dead_letter_id: Annotated[str, Path(max_length=64)],
    principal: Operator,
    state: State,
    body: Annotated[DeadLetterRetry | None, Body()] = None,
) -> SubmittedTask:
    """Queue the dead letter's task again, with a new description if given; 409 if it was
    retried already and `again` is not set."""
    letter = state.store.dead_letters.get(dead_letter_id)
    task = state.store.tasks.get(letter.task_id) if letter is not None else None
    if letter is None or task is None or not principal.owns(task.user_id):
        raise HTTPException(
            status_code=status.HTTP_404_NOT_FOUND, detail=f"no dead letter {dead_letter_id}"
        )
    check_task_quotas(state, principal)
    # A task stored before workspaces were per tenant may name the old shared root: it
    # runs again only where its owner may work now.
    stored = task.body.get("context", {}).get("workspace")
    await asyncio.to_thread(
        resolve_tenant_workspace,
        state.settings,
        task.user_id,
        stored if isinstance(stored, str) and stored else None,
    )
    retry = body or DeadLetterRetry()
    try:
        record, run = await asyncio.to_thread(
            state.office.retry_dead_letter,
            state.worker,
            dead_letter_id,
            retry.description,
            again=retry.again,
        )
    except UserError as error:
        raise HTTPException(
            status_code=status.HTTP_409_CONFLICT,
            detail=str(error).replace("pass --again", 'send {"again": true}'),
        ) from None
    return submitted(record, run, created=True)
