"""Signing in to the web UI, and the guards every page and form goes through.

The API key itself is the session: sign-in checks it and keeps it in an HttpOnly,
SameSite=Strict cookie (`office_key`), which the API's own authentication accepts, so
the live view's EventSource on `/tasks/{id}/events` is authenticated too. Forms that
change something are refused unless the browser says they come from this server's own
pages (the Origin header, or the Referer when a browser sends no Origin): with the
SameSite=Strict cookie that stops cross-site request forgery. The API applies the same
check to every state change the cookie alone authenticates (`auth.current_principal`),
and pages count against the user's requests per minute, as API calls do.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from intelligent_office.api.auth import (
    COOKIE_NAME,
    Principal,
    current_principal,
    same_origin_problem,
)
from intelligent_office.api.limits import spend_request
from intelligent_office.api.state import ApiState, api_state
from intelligent_office.api.ui.rendering import page

__all__ = ["HOME", "SIGN_IN", "PagePrincipal", "SameOrigin", "router"]

HOME = "/ui/"
SIGN_IN = "/ui/signin"

router = APIRouter(include_in_schema=False)


def page_principal(request: Request, state: Annotated[ApiState, Depends(api_state)]) -> Principal:
    """FastAPI dependency for pages: the signed-in principal, or a redirect to sign in.

    Each page and form spends one of the user's requests this minute, as an API call
    does (429 past the limit).
    """
    try:
        principal = current_principal(request, state)
    except HTTPException as error:
        if error.status_code != status.HTTP_401_UNAUTHORIZED:
            raise
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(
            status_code=status.HTTP_303_SEE_OTHER,
            detail="sign in with an API key first",
            headers={"Location": f"{SIGN_IN}?{urlencode({'next': here})}"},
        ) from None
    spend_request(request, principal)
    return principal


PagePrincipal = Annotated[Principal, Depends(page_principal)]


def same_origin(request: Request) -> None:
    """FastAPI dependency for form posts: 403 unless sent from this server's own pages."""
    problem = same_origin_problem(request)
    if problem is not None:
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN,
            detail=(f"form refused: {problem}; open {SIGN_IN} on this server and submit it there"),
        )


SameOrigin = Depends(same_origin)


def local_target(target: str | None) -> str:
    """Where to go after signing in: a page of the UI, never another site."""
    if target and target.startswith("/ui/") and not target.startswith("//"):
        return target
    return HOME


@router.get(SIGN_IN)
def sign_in_page(request: Request, next: str | None = None) -> Response:
    """The sign-in form."""
    return page(request, "signin.html", None, {"next": local_target(next)})


@router.post(SIGN_IN, dependencies=[SameOrigin])
def sign_in(
    request: Request,
    state: Annotated[ApiState, Depends(api_state)],
    key: Annotated[str, Form(max_length=512)] = "",
    next: Annotated[str, Form(max_length=2048)] = HOME,
) -> Response:
    """Check the key; keep it in the session cookie and go on, or say what was wrong."""
    record = state.store.api_keys.authenticate(key.strip()) if key.strip() else None
    if record is None:
        error = (
            "That API key is not valid: it may be mistyped or revoked."
            " Create one with `office keys create --user NAME --role operator`."
        )
        context = {"next": local_target(next), "error": error}
        return page(request, "signin.html", None, context, status_code=401)
    response = RedirectResponse(local_target(next), status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        COOKIE_NAME,
        key.strip(),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/ui/signout", dependencies=[SameOrigin])
def sign_out() -> Response:
    """Forget the key in this browser."""
    response = RedirectResponse(SIGN_IN, status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict")
    return response
