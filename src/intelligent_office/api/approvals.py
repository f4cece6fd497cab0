"""`/approvals`: the human decisions tasks wait for, and deciding them.

A user sees and decides only approvals of their own tasks (another user's is a 404);
an admin sees and decides all. Deciding goes through `Office.decide_approval`,
the same call `office approve` makes, so the decision is audited and signalled.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, status
from pydantic import JsonValue

from intelligent_office.api.auth import CurrentPrincipal, Operator, Principal
from intelligent_office.api.json_bodies import StrictJsonRoute
from intelligent_office.api.limits import rate_limited
from intelligent_office.api.responses import errors
from intelligent_office.api.schemas import ApprovalDecision, ApprovalPublic
from intelligent_office.api.state import ApiState, api_state
from intelligent_office.errors import UserError
from intelligent_office.store import ApprovalRecord

__all__ = ["router"]

router = APIRouter(
    prefix="/approvals",
    tags=["approvals"],
    dependencies=[Depends(rate_limited)],
    route_class=StrictJsonRoute,
)

State = Annotated[ApiState, Depends(api_state)]
ApprovalId = Annotated[str, Path(description="The approval's id.", max_length=64)]
StatusFilter = Literal["pending", "approved", "denied", "expired", "revised", "all"]


def _public(record: ApprovalRecord) -> ApprovalPublic:
    return ApprovalPublic(
        id=record.id,
        task_id=record.task_id,
        run_id=record.run_id,
        kind=record.kind,
        subject=record.subject,
        detail=record.detail,
        status=record.status,
        requested_at=record.requested_at,
        decided_at=record.decided_at,
        decided_by=record.decided_by,
        comment=record.comment,
        response=record.response,
    )


def _visible(state: ApiState, principal: Principal, approval_id: str) -> ApprovalRecord:
    record = state.store.approvals.get(approval_id)
    task = state.store.tasks.get(record.task_id) if record is not None else None
    if record is None or task is None or not principal.owns(task.user_id):
        raise HTTPException(
            status_code=status.HTTP_404_NOT_FOUND, detail=f"no approval {approval_id}"
        )
    return record


@router.get(
    "",
    summary="List approvals, newest first",
    response_model=list[ApprovalPublic],
    responses=errors(401, 429),
)
def list_approvals(
    principal: CurrentPrincipal,
    state: State,
    status_filter: Annotated[
        StatusFilter, Query(alias="status", description="Which approvals; `all` for every one.")
    ] = "pending",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[ApprovalPublic]:
    """Approvals of your tasks (an admin's: everyone's), pending ones by default."""
    records = state.store.approvals.list(
        status=None if status_filter == "all" else status_filter,
        user_id=None if principal.is_admin else principal.user_id,
        limit=limit,
        offset=offset,
    )
    return [_public(record) for record in records]


def _decide(
    state: ApiState,
    principal: Principal,
    approval_id: str,
    decision: Literal["approved", "denied", "revised"],
    comment: str | None,
    edits: dict[str, dict[str, JsonValue]] | None = None,
) -> ApprovalPublic:
    _visible(state, principal, approval_id)
    try:
        record = state.office.decide_approval(
            approval_id, decision, by=principal.user_id, comment=comment, edits=edits
        )
    except UserError as error:  # decided otherwise already, or expired
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=str(error)) from None
    return _public(record)


@router.post(
    "/{approval_id}/approve",
    summary="Approve: the waiting step runs",
    response_model=ApprovalPublic,
    responses=errors(400, 401, 403, 404, 409, 429),
)
def approve(
    approval_id: ApprovalId,
    principal: Operator,
    state: State,
    body: Annotated[ApprovalDecision | None, Body()] = None,
) -> ApprovalPublic:
    """Record an approval and wake the task; approving again is harmless, 409 if denied.

    A plan sign-off may carry `edits` (step id -> new input); an escalation approved is
    its result accepted.
    """
    comment = body.comment if body is not None else None
    edits = body.edits if body is not None else None
    return _decide(state, principal, approval_id, "approved", comment, edits)


@router.post(
    "/{approval_id}/deny",
    summary="Deny: the planner looks for another way",
    response_model=ApprovalPublic,
    responses=errors(400, 401, 403, 404, 409, 429),
)
def deny(
    approval_id: ApprovalId,
    principal: Operator,
    state: State,
    body: Annotated[ApprovalDecision | None, Body()] = None,
) -> ApprovalPublic:
    """Record a denial with its reason and wake the task; 409 if it was approved."""
    comment = body.comment if body is not None else None
    return _decide(state, principal, approval_id, "denied", comment)


@router.post(
    "/{approval_id}/revise",
    summary="Send an escalation back: another iteration with your feedback",
    response_model=ApprovalPublic,
    responses=errors(400, 401, 403, 404, 409, 429),
)
def revise(
    approval_id: ApprovalId,
    principal: Operator,
    state: State,
    body: Annotated[ApprovalDecision, Body()],
) -> ApprovalPublic:
    """The escalated result goes back to the planner with `comment` as feedback."""
    if not body.comment:
        raise HTTPException(
            status_code=status.HTTP_400_BAD_REQUEST,
            detail='a revision needs feedback: send {"comment": "what to change"}',
        )
    return _decide(state, principal, approval_id, "revised", body.comment)
