"""What waits for a person in the web UI: the approvals inbox and the dead letters.

Each user sees the approvals and dead letters of their own tasks (admins see all);
deciding and retrying need an operator or admin, as in the REST API, and go through the
same Office methods as `office approve` and `office dlq retry`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from intelligent_office.api.auth import Principal
from intelligent_office.api.limits import check_task_quotas
from intelligent_office.api.state import ApiState, api_state
from intelligent_office.api.ui.plan_form import plan_edits
from intelligent_office.api.ui.rendering import page
from intelligent_office.api.ui.session import PagePrincipal, SameOrigin
from intelligent_office.errors import UserError
from intelligent_office.limits import MAX_TASK_DESCRIPTION_CHARS
from intelligent_office.store import ApprovalRecord, DeadLetterRecord

__all__ = ["router"]

APPROVALS = "/ui/approvals"
DEAD_LETTERS = "/ui/dlq"
_DECISIONS: dict[str, Literal["approved", "denied", "revised"]] = {
    "approve": "approved",
    "deny": "denied",
    # an escalation: accept the result, send it back with feedback, or fail it
    "accept": "approved",
    "revise": "revised",
    "fail": "denied",
}

router = APIRouter(include_in_schema=False)
State = Annotated[ApiState, Depends(api_state)]


def _owner_filter(principal: Principal) -> str | None:
    """The user whose records a listing is limited to; None for an admin (everyone's)."""
    return None if principal.is_admin else principal.user_id


def _owns_task(state: ApiState, principal: Principal, task_id: str) -> bool:
    task = state.store.tasks.get(task_id)
    return task is not None and principal.owns(task.user_id)


def _approvals(state: ApiState, principal: Principal) -> dict[str, object]:
    approvals = state.store.approvals
    owner = _owner_filter(principal)
    decided = [
        a for a in approvals.list(status=None, user_id=owner, limit=40) if a.status != "pending"
    ]
    return {"pending": approvals.list(user_id=owner, limit=500), "decided": decided[:20]}


def _forbidden(request: Request, principal: Principal, action: str) -> Response:
    message = f"role {principal.role} may only read: {action} needs an operator or admin key"
    return page(request, "error.html", principal, {"message": message}, status_code=403)


def _not_found(request: Request, principal: Principal, message: str) -> Response:
    return page(request, "error.html", principal, {"message": message}, status_code=404)


@router.get(APPROVALS)
def approvals(
    request: Request, state: State, principal: PagePrincipal, decided: str | None = None
) -> Response:
    """Pending approvals with approve and deny buttons, and the latest decisions."""
    context = _approvals(state, principal)
    just = state.store.approvals.get(decided) if decided else None
    if just is not None and _owns_task(state, principal, just.task_id):
        context["notice"] = f"{just.subject}: {just.status} by {just.decided_by}"
    return page(request, "approvals.html", principal, context)


def _visible_approval(state: ApiState, principal: Principal, approval_id: str) -> ApprovalRecord:
    approval = state.store.approvals.get(approval_id)
    if approval is None or not _owns_task(state, principal, approval.task_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no approval {approval_id}")
    return approval


@router.post(APPROVALS + "/{approval_id}/signoff", dependencies=[SameOrigin])
async def sign_off(
    request: Request, state: State, principal: PagePrincipal, approval_id: str
) -> Response:
    """Sign a plan off, with the step inputs as the person left them in the form."""
    if not principal.can("operator"):
        return _forbidden(request, principal, "signing plans off")
    form = await request.form()
    fields = {str(name): value for name, value in form.items() if isinstance(value, str)}
    try:
        approval = await run_in_threadpool(_visible_approval, state, principal, approval_id)
        edits = plan_edits(approval, fields)
        comment = fields.get("comment", "").strip() or None
        await run_in_threadpool(
            state.office.decide_approval,
            approval_id,
            "approved",
            by=principal.user_id,
            comment=comment,
            edits=edits or None,
        )
    except HTTPException as error:
        return _not_found(request, principal, str(error.detail))
    except UserError as error:  # a step input that is not a JSON object, or decided already
        context = _approvals(state, principal) | {"error": str(error)}
        return page(request, "approvals.html", principal, context, status_code=409)
    return RedirectResponse(f"{APPROVALS}?decided={approval_id}", status_code=303)


@router.post(APPROVALS + "/{approval_id}/{action}", dependencies=[SameOrigin])
def decide(
    request: Request,
    state: State,
    principal: PagePrincipal,
    approval_id: str,
    action: str,
    comment: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    """Approve or deny; the waiting run goes on at once."""
    decision = _DECISIONS.get(action)
    if decision is None:
        return _not_found(request, principal, f"no action {action!r}: approve or deny")
    if decision == "revised" and not comment.strip():
        context = _approvals(state, principal) | {"error": "a revision needs feedback: say what"}
        return page(request, "approvals.html", principal, context, status_code=400)
    if not principal.can("operator"):
        return _forbidden(request, principal, "deciding approvals")
    try:
        _visible_approval(state, principal, approval_id)
        state.office.decide_approval(
            approval_id, decision, by=principal.user_id, comment=comment.strip() or None
        )
    except HTTPException as error:
        return _not_found(request, principal, str(error.detail))
    except UserError as error:  # decided already, by someone else or by the timeout
        context = _approvals(state, principal) | {"error": str(error)}
        return page(request, "approvals.html", principal, context, status_code=409)
    return RedirectResponse(f"{APPROVALS}?decided={approval_id}", status_code=303)


def _dead_letters(state: ApiState, principal: Principal) -> list[DeadLetterRecord]:
    return state.store.dead_letters.recent(user_id=_owner_filter(principal), limit=200)


@router.get(DEAD_LETTERS)
def dead_letters(request: Request, state: State, principal: PagePrincipal) -> Response:
    """Tasks that could not be finished, with their reason and a retry button."""
    context = {"letters": _dead_letters(state, principal)}
    return page(request, "dlq.html", principal, context)


@router.post(DEAD_LETTERS + "/{dead_letter_id}/retry", dependencies=[SameOrigin])
def retry(
    request: Request,
    state: State,
    principal: PagePrincipal,
    dead_letter_id: str,
    description: Annotated[str, Form(max_length=MAX_TASK_DESCRIPTION_CHARS)] = "",
    again: Annotated[bool, Form()] = False,
) -> Response:
    """Resubmit the dead letter's task (with an edited text if given); show the new task."""
    if not principal.can("operator"):
        return _forbidden(request, principal, "retrying dead letters")
    letter = state.store.dead_letters.get(dead_letter_id)
    if letter is None or not _owns_task(state, principal, letter.task_id):
        return _not_found(request, principal, f"no dead letter {dead_letter_id}")
    if letter.retry_task_id is not None and not again:
        message = (
            f"dead letter {dead_letter_id} was already retried as task {letter.retry_task_id}:"
            ' tick "again" to retry it once more'
        )
        context = {"letters": _dead_letters(state, principal), "error": message}
        return page(request, "dlq.html", principal, context, status_code=409)
    try:
        check_task_quotas(state, principal)
        record, _ = state.office.retry_dead_letter(
            state.worker, dead_letter_id, description.strip() or None, again=again
        )
    except (UserError, HTTPException) as error:
        message = str(error.detail) if isinstance(error, HTTPException) else str(error)
        context = {"letters": _dead_letters(state, principal), "error": message}
        return page(request, "dlq.html", principal, context, status_code=409)
    return RedirectResponse(f"/ui/tasks/{record.task_id}", status_code=303)
