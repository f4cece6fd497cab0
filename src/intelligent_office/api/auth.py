"""API-key authentication, roles and tenant isolation.

Keys travel as `Authorization: Bearer <key>` (what OpenAI clients send) or `X-API-Key`;
the web UI keeps the key in an HttpOnly cookie. A browser sends that cookie with any
request to this server, whichever site made it, so a request authenticated by the
cookie alone may change nothing (POST, DELETE ...) unless its Origin (or Referer) is
this server: the same rule as the UI's forms, on every route. A principal sees only
their own tasks, approvals and events; an admin sees everyone's. Roles: viewer reads,
operator also submits, cancels and decides approvals, admin also sees every user's work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request, status

from intelligent_office.api.state import ApiState, api_state
from intelligent_office.store import TaskRecord

__all__ = [
    "COOKIE_NAME",
    "CurrentPrincipal",
    "Operator",
    "Principal",
    "authenticated",
    "current_principal",
    "require_operator",
    "same_origin_problem",
    "visible_task",
]

COOKIE_NAME = "office_key"
_RANK = {"viewer": 0, "operator": 1, "admin": 2}
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's user and role."""

    user_id: str
    role: str
    key_id: str

    @property
    def is_admin(self) -> bool:
        """Admins see every user's tasks."""
        return self.role == "admin"

    def can(self, role: str) -> bool:
        """Whether this principal has at least `role`."""
        return _RANK[self.role] >= _RANK[role]

    def owns(self, user_id: str) -> bool:
        """Whether a record of `user_id` is visible to this principal."""
        return self.is_admin or user_id == self.user_id


def presented_key(request: Request) -> str | None:
    """The API key the request carries, if any."""
    return _presented(request)[0]


def _presented(request: Request) -> tuple[str | None, bool]:
    """The key the request carries, and whether it came from the UI's cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip(), False
    if header_key := request.headers.get("x-api-key"):
        return header_key, False
    cookie = request.cookies.get(COOKIE_NAME)
    return cookie, cookie is not None


def same_origin_problem(request: Request) -> str | None:
    """Why the request is not from this server's own pages (its Origin, else its Referer)."""
    source = request.headers.get("origin") or request.headers.get("referer") or ""
    host = request.headers.get("host", "")
    if host and urlsplit(source).netloc == host:
        return None
    return f"it was not sent from this server's own pages (Origin {source or 'missing'!s})"


def current_principal(
    request: Request, state: Annotated[ApiState, Depends(api_state)]
) -> Principal:
    """FastAPI dependency: the authenticated caller; 401 without a valid key.

    A key from the UI's cookie changes something only from this server's pages (403).
    """
    key, from_cookie = _presented(request)
    if from_cookie and request.method not in _SAFE_METHODS:
        problem = same_origin_problem(request)
        if problem is not None:
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN,
                detail=(
                    f"refused: the request carries only the web UI's cookie and {problem};"
                    " API clients send `Authorization: Bearer <key>`"
                ),
            )
    record = state.store.api_keys.authenticate(key) if key else None
    if record is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail=(
                "missing or invalid API key: send `Authorization: Bearer <key>`"
                " (create one with `office keys create --user NAME --role operator`)"
            ),
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Principal(user_id=record.user_id, role=record.role, key_id=record.id)


async def authenticated(
    request: Request, state: Annotated[ApiState, Depends(api_state)]
) -> Principal:
    """FastAPI dependency: `current_principal` on the event loop.

    The key lookup is one indexed read (WAL: never waits for a writer); a sync dependency
    would hop to the thread pool and back, which costs more than the read under load.
    """
    return current_principal(request, state)


CurrentPrincipal = Annotated[Principal, Depends(authenticated)]


async def require_operator(principal: CurrentPrincipal) -> Principal:
    """FastAPI dependency: an operator or admin; 403 for a viewer."""
    if not principal.can("operator"):
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN,
            detail=f"role {principal.role} may only read: this needs an operator or admin key",
        )
    return principal


Operator = Annotated[Principal, Depends(require_operator)]


def visible_task(state: ApiState, principal: Principal, task_id: str) -> TaskRecord:
    """The task if this principal may see it; 404 otherwise (another tenant's task too)."""
    record = state.store.tasks.get(task_id)
    if record is None or not principal.owns(record.user_id):
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=f"no task {task_id}")
    return record
