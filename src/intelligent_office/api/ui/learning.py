"""Learning pages of the web UI: causes of failure and guidance, tool gaps and tool drafts.

Guidance and built tools belong to the service, not to one user: every page here is
for admins. Building a tool drafts it and runs its tests in the sandbox (seconds);
approving registers it for the next run, as `office tools approve` does.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from intelligent_office.api.auth import Principal
from intelligent_office.api.state import ApiState, api_state
from intelligent_office.api.ui.rendering import page
from intelligent_office.api.ui.session import PagePrincipal, SameOrigin
from intelligent_office.errors import UserError
from intelligent_office.learning.causes import error_pattern, find_causes
from intelligent_office.learning.guidance_store import GuidanceRepository, guidance_id_for
from intelligent_office.tools.builder.builder import ToolBuilder

__all__ = ["router"]

LEARN, GAPS, DRAFTS = "/ui/learn", "/ui/gaps", "/ui/tools/drafts"

router = APIRouter(include_in_schema=False)
State = Annotated[ApiState, Depends(api_state)]


def _admin_only(request: Request, principal: Principal) -> Response | None:
    if principal.is_admin:
        return None
    message = f"role {principal.role}: learning and tool building need an admin key"
    return page(request, "error.html", principal, {"message": message}, status_code=403)


def _builder(state: ApiState) -> ToolBuilder:
    router_ = getattr(state.office.brain, "router", None)  # the LLM brain's, if configured
    return ToolBuilder(state.settings, state.store, router=router_)


def _learn_context(state: ApiState) -> dict[str, Any]:
    guidance = GuidanceRepository(state.store.engine)
    causes = []
    for cause in find_causes(state.store, max_rating=state.settings.learning.max_rating)[:20]:
        first = cause.first
        causes.append(
            {
                "count": cause.count,
                "category": first.category,
                "intent": first.intent,
                "shape": " -> ".join(first.shape) or "-",
                "error": error_pattern(first.error),
                "example": first.request,
                "task_id": first.task_id,
                "guidance": guidance.get(guidance_id_for(cause.key)),
            }
        )
    return {"causes": causes, "guidance": guidance.all()}


@router.get(LEARN)
def learn_page(request: Request, state: State, principal: PagePrincipal) -> Response:
    """The top causes of failure with an example each, and every piece of guidance."""
    if (refused := _admin_only(request, principal)) is not None:
        return refused
    return page(request, "learn.html", principal, _learn_context(state))


@router.post(LEARN + "/guidance/{guidance_id}/{action}", dependencies=[SameOrigin])
def change_guidance(
    request: Request, state: State, principal: PagePrincipal, guidance_id: str, action: str
) -> Response:
    """Enable, disable or delete one piece of guidance."""
    if (refused := _admin_only(request, principal)) is not None:
        return refused
    repository = GuidanceRepository(state.store.engine)
    try:
        if action == "delete":
            repository.delete(guidance_id)
        elif action in ("enable", "disable"):
            repository.set_status(guidance_id, f"{action}d")
        else:
            raise UserError(f"unknown action {action!r}: enable, disable or delete")
    except UserError as error:
        context = _learn_context(state) | {"error": str(error)}
        return page(request, "learn.html", principal, context, status_code=409)
    state.store.audit.add(
        actor=principal.user_id,
        action=f"guidance.{action}",
        subject=f"guidance {guidance_id}",
        reason="web UI",
    )
    return RedirectResponse(LEARN, status_code=303)


def _gaps_context(state: ApiState) -> dict[str, Any]:
    builder = _builder(state)
    drafts: dict[int, list[Any]] = {}
    for draft in builder.drafts.recent():
        drafts.setdefault(draft.gap_id, []).append(draft)
    return {"gaps": state.store.tool_gaps.recent(limit=100), "drafts": drafts}


@router.get(GAPS)
def gaps_page(request: Request, state: State, principal: PagePrincipal) -> Response:
    """Tool-gap reports, each with its drafts and a button to build the missing tool."""
    if (refused := _admin_only(request, principal)) is not None:
        return refused
    return page(request, "gaps.html", principal, _gaps_context(state))


@router.post(GAPS + "/{gap_id}/build", dependencies=[SameOrigin])
async def build(request: Request, state: State, principal: PagePrincipal, gap_id: int) -> Response:
    """Draft the gap's tool and test it in the sandbox; show the draft for review."""
    if (refused := _admin_only(request, principal)) is not None:
        return refused
    try:
        draft = await _builder(state).build(gap_id, by=principal.user_id)
    except UserError as error:
        context = await asyncio.to_thread(_gaps_context, state)
        return page(
            request, "gaps.html", principal, context | {"error": str(error)}, status_code=409
        )
    return RedirectResponse(f"{DRAFTS}/{draft.id}", status_code=303)


@router.get(DRAFTS + "/{draft_id}")
def draft_page(request: Request, state: State, principal: PagePrincipal, draft_id: str) -> Response:
    """One draft for review: risk, schema, code and the sandboxed test output."""
    if (refused := _admin_only(request, principal)) is not None:
        return refused
    builder = _builder(state)
    draft = builder.drafts.get(draft_id)
    if draft is None:
        context = {"message": f"no tool draft {draft_id}"}
        return page(request, "error.html", principal, context, status_code=404)
    return page(
        request, "draft.html", principal, {"draft": draft, "gap": builder.gap(draft.gap_id)}
    )


@router.post(DRAFTS + "/{draft_id}/{action}", dependencies=[SameOrigin])
def decide_draft(
    request: Request,
    state: State,
    principal: PagePrincipal,
    draft_id: str,
    action: str,
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Approve (register), reject, disable, enable or remove a draft; every step audited."""
    if (refused := _admin_only(request, principal)) is not None:
        return refused
    builder = _builder(state)
    by = principal.user_id
    try:
        if action == "approve":
            builder.approve(draft_id, by=by, comment=comment)
        elif action == "reject":
            builder.reject(draft_id, by=by, reason=comment)
        elif action in ("disable", "enable", "remove"):
            getattr(builder, action)(draft_id, by=by)
        else:
            raise UserError(f"unknown action {action!r}")
    except UserError as error:
        draft = builder.drafts.get(draft_id)
        if draft is None:
            return page(request, "error.html", principal, {"message": str(error)}, status_code=404)
        context = {"draft": draft, "gap": builder.gap(draft.gap_id), "error": str(error)}
        return page(request, "draft.html", principal, context, status_code=409)
    return RedirectResponse(f"{DRAFTS}/{draft_id}", status_code=303)
