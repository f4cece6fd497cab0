"""Webhooks over HTTP: register a URL for your events (or one task's), list, delete, and
read the delivery log.

A webhook belongs to the user whose key created it; another user gets 404 for it,
as for their tasks. The secret is returned once, when the webhook is created.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from intelligent_office.api.auth import Operator, Principal, visible_task
from intelligent_office.api.json_bodies import StrictJsonRoute
from intelligent_office.api.limits import RateLimited
from intelligent_office.api.responses import errors
from intelligent_office.api.state import ApiState, api_state
from intelligent_office.store.webhooks import DeliveryRecord, WebhookRecord
from intelligent_office.webhooks.destinations import literal_problem
from intelligent_office.webhooks.signing import new_secret

__all__ = [
    "DeliveryPublic",
    "WebhookCreate",
    "WebhookCreated",
    "WebhookPublic",
    "router",
]

_WEBHOOK_ID = "5b1f0e2d3c4a49e8a7b6c5d4e3f2a1b0"
_MAX_URL = 2000
_MAX_TYPES = 50
# http(s), optional user:password@, a host name or IPv4 address, optional port, then path,
# query and fragment in printable ASCII (percent-encode the rest).
_URL_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9._~%!$&'()*+,;=:-]+@)?[A-Za-z0-9._~-]+(:[0-9]{1,5})?([/?#][!-~]*)?$"

EventType = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.*:-]+$")
]

router = APIRouter(prefix="/webhooks", tags=["webhooks"], route_class=StrictJsonRoute)

State = Annotated[ApiState, Depends(api_state)]


class WebhookCreate(BaseModel):
    """Where to POST events, for which task (default: all of yours) and which types."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://hooks.example.com/office",
                    "event_types": ["task.completed", "task.dead_lettered", "approval.*"],
                }
            ]
        },
    )

    url: str = Field(
        max_length=_MAX_URL,
        description="An http:// or https:// URL.",
        # Checked in the route, so a URL that does not match gets a 400 saying what to send.
        json_schema_extra={"pattern": _URL_PATTERN},
    )
    task_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="Only this task's events (all of them, from its first); default: every"
        " task of yours, from now on.",
    )
    event_types: list[EventType] = Field(
        default_factory=list,
        max_length=_MAX_TYPES,
        description='Event types to deliver, exact or a prefix like "task.*"; empty: every type.',
    )


class WebhookPublic(BaseModel):
    """A registered webhook (without its secret)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": _WEBHOOK_ID,
                    "user_id": "alice",
                    "url": "https://hooks.example.com/office",
                    "task_id": None,
                    "event_types": ["task.completed"],
                    "active": True,
                    "created_at": "2026-11-21T08:00:00Z",
                }
            ]
        }
    )

    id: str
    user_id: str
    url: str
    task_id: str | None
    event_types: list[str]
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, record: WebhookRecord) -> WebhookPublic:
        """The public view of a stored webhook."""
        return cls(
            id=record.id,
            user_id=record.user_id,
            url=record.url,
            task_id=record.task_id,
            event_types=record.event_types,
            active=record.active,
            created_at=record.created_at,
        )


class WebhookCreated(WebhookPublic):
    """A new webhook with its signing secret: keep it, it is not shown again."""

    secret: str = Field(
        description="HMAC-SHA256 key of the `Office-Signature` header; shown only now."
    )


class DeliveryPublic(BaseModel):
    """One event's delivery to a webhook: its status and attempts so far."""

    id: int
    event_id: int = Field(description="The event's id, also sent as `Office-Event-Id`.")
    event_type: str
    task_id: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status_code: int | None = Field(description="The receiver's last HTTP status, if any.")
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None = Field(description="When it is tried next, if pending.")
    delivered_at: datetime | None

    @classmethod
    def of(cls, record: DeliveryRecord) -> DeliveryPublic:
        """The public view of a stored delivery."""
        pending = record.status == "pending"
        return cls(
            id=record.id,
            event_id=record.event_id,
            event_type=record.event_type,
            task_id=record.task_id,
            status=record.status,
            attempts=record.attempts,
            last_status_code=record.last_status_code,
            last_error=record.last_error,
            created_at=record.created_at,
            next_attempt_at=record.next_attempt_at if pending else None,
            delivered_at=record.delivered_at,
        )


def _checked_url(url: str) -> str:
    try:
        parts = urlsplit(url) if re.fullmatch(_URL_PATTERN, url) else None
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise HTTPException(
            status_code=status.HTTP_400_BAD_REQUEST,
            detail=f"webhook url {url!r} is not an http:// or https:// URL with a host name or"
            " IPv4 address: send e.g. https://hooks.example.com/office",
        )
    return url


def _owned(state: ApiState, principal: Principal, webhook_id: str) -> WebhookRecord:
    record = state.store.webhooks.get(webhook_id)
    if record is None or not principal.owns(record.user_id):
        raise HTTPException(
            status_code=status.HTTP_404_NOT_FOUND, detail=f"no webhook {webhook_id}"
        )
    return record


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Register a webhook",
    responses=errors(400, 401, 403, 404, 429),
)
def create_webhook(
    body: WebhookCreate, principal: Operator, _: RateLimited, state: State
) -> WebhookCreated:
    """Events of your tasks (or of one task) are POSTed to `url`, signed with the returned
    secret: see the README's Webhooks section for the headers and how to verify them."""
    url = _checked_url(body.url)
    problem = literal_problem(url)
    if problem is not None and not state.settings.webhooks.allow_private_addresses:
        raise HTTPException(
            status_code=status.HTTP_400_BAD_REQUEST,
            detail=f"webhook url {url!r} is refused: {problem}; webhooks reach public"
            " addresses only (an operator can set webhooks.allow_private_addresses)",
        )
    event_types = list(dict.fromkeys(body.event_types))
    if body.task_id is not None:
        visible_task(state, principal, body.task_id)
    secret = new_secret()
    record = state.store.webhooks.create(
        user_id=principal.user_id,
        url=url,
        secret=secret,
        task_id=body.task_id,
        event_types=event_types,
    )
    return WebhookCreated(**WebhookPublic.of(record).model_dump(), secret=secret)


@router.get("", summary="List your webhooks", responses=errors(401, 429))
def list_webhooks(principal: RateLimited, state: State) -> list[WebhookPublic]:
    """Your webhooks, newest first (an admin sees everyone's)."""
    user = None if principal.is_admin else principal.user_id
    return [WebhookPublic.of(record) for record in state.store.webhooks.list(user_id=user)]


@router.get(
    "/{webhook_id}",
    summary="One webhook",
    responses=errors(401, 404, 429),
)
def get_webhook(webhook_id: str, principal: RateLimited, state: State) -> WebhookPublic:
    """The webhook, without its secret."""
    return WebhookPublic.of(_owned(state, principal, webhook_id))


@router.delete(
    "/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a webhook",
    responses=errors(401, 403, 404, 429),
)
def delete_webhook(webhook_id: str, principal: Operator, _: RateLimited, state: State) -> Response:
    """Stop deliveries at once; the webhook, its secret and its delivery log are deleted."""
    _owned(state, principal, webhook_id)
    state.store.webhooks.delete(webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{webhook_id}/deliveries",
    summary="A webhook's delivery log",
    responses=errors(401, 404, 429),
)
def list_deliveries(
    webhook_id: str,
    principal: RateLimited,
    state: State,
    status_filter: Annotated[
        Literal["pending", "delivered", "failed"] | None,
        Query(alias="status", description="Only deliveries in this status."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DeliveryPublic]:
    """Each event queued for the webhook, newest first: status, attempts, the receiver's
    last HTTP status and error, and when it is tried next."""
    _owned(state, principal, webhook_id)
    records = state.store.webhooks.deliveries(webhook_id, status=status_filter, limit=limit)
    return [DeliveryPublic.of(record) for record in records]
