"""`GET /tasks/{id}/events`: a task's events as Server-Sent Events, resumable.

Stored events after `Last-Event-ID` (an event's seq) are replayed first, then new ones
stream as they are stored, until the task has finished. Each message is `id:` the seq,
`event:` the event type and `data:` the event as JSON, so a client that reconnects
(EventSource does so by itself) misses nothing and sees nothing twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from intelligent_office.api.auth import CurrentPrincipal, visible_task
from intelligent_office.api.json_bodies import StrictJsonRoute
from intelligent_office.api.limits import rate_limited
from intelligent_office.api.progress import FINISHED_STATUSES
from intelligent_office.api.responses import errors
from intelligent_office.api.state import ApiState, api_state
from intelligent_office.api.tasks import TaskId
from intelligent_office.safe_text import one_line_json

__all__ = ["POLL_SECONDS", "router", "task_events"]

router = APIRouter(
    prefix="/tasks",
    tags=["tasks"],
    dependencies=[Depends(rate_limited)],
    route_class=StrictJsonRoute,
)

POLL_SECONDS = 0.2
PING_SECONDS = 15

_EXAMPLE = (
    "id: 7\nevent: task.decomposed\n"
    'data: {"type": "task.decomposed", "task_id": "3f0c", "run_id": "9a8b", "seq": 7,'
    ' "time": "2026-11-21T08:00:01Z", "payload": {"subtasks": []}}\n\n'
)


def _finished(state: ApiState, task_id: str) -> bool:
    """Whether the task and its run have ended, so every event of it is stored."""
    record = state.store.tasks.get(task_id)
    if record is None or record.status not in FINISHED_STATUSES:
        return False
    runs = state.store.runs.recent(task_id=task_id, limit=1)
    # The worker stores a run's last events before it marks the run finished.
    return not runs or runs[0].status.finished


async def task_events(
    state: ApiState, task_id: str, after: int, request: Request | None = None
) -> AsyncIterator[ServerSentEvent]:
    """The task's events after seq `after`, then live ones until it has finished."""
    while True:
        # Read "finished" before the events: whatever was stored by then is in this read.
        finished = await asyncio.to_thread(_finished, state, task_id)
        events = await asyncio.to_thread(state.store.events.read, task_id, after_seq=after)
        for event in events:
            after = event.seq
            data = one_line_json(event.model_dump_json())
            yield ServerSentEvent(id=str(event.seq), event=event.type, data=data)
        if finished and not events:
            return
        if request is not None and await request.is_disconnected():
            return
        if not events:
            await asyncio.sleep(POLL_SECONDS)


@router.get(
    "/{task_id}/events",
    summary="Stream a task's events (Server-Sent Events)",
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "An event stream; it ends when the task has finished.",
            "content": {"text/event-stream": {"schema": {"type": "string"}, "example": _EXAMPLE}},
        },
        **errors(401, 404, 429),
    },
)
async def stream_events(
    task_id: TaskId,
    request: Request,
    principal: CurrentPrincipal,
    state: Annotated[ApiState, Depends(api_state)],
    last_event_id: Annotated[
        int,
        Header(alias="Last-Event-ID", ge=0, le=2**31, description="Resume after this event's seq."),
    ] = 0,
    after: Annotated[
        int,
        Query(ge=0, le=2**31, description="Resume after this seq (for clients without headers)."),
    ] = 0,
) -> EventSourceResponse:
    """Replay the stored events after `Last-Event-ID`, then stream new ones live."""
    await asyncio.to_thread(visible_task, state, principal, task_id)
    start = max(last_event_id, after)
    return EventSourceResponse(task_events(state, task_id, start, request), ping=PING_SECONDS)
