"""`/tasks`: submit, list, inspect, follow, cancel and rate tasks.

Thin routes over `submit_task`, the store and the worker. A user sees only their own
tasks (another user's is a 404, as if it did not exist); admins see every user's.
Reads are plain `def` routes, run on the server's thread pool so a slow query never
stalls the event loop the local worker runs on.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import (
    APIRouter,
    Body,
    Depends,
    Header,
    HTTPException,
    Path,
    Query,
    Request,
    Response,
    status,
)

from intelligent_office.api.auth import CurrentPrincipal, Operator, visible_task
from intelligent_office.api.json_bodies import StrictJsonRoute
from intelligent_office.api.limits import rate_limited
from intelligent_office.api.progress import FINISHED_STATUSES, ProgressTracker, TaskProgress
from intelligent_office.api.responses import errors
from intelligent_office.api.schemas import (
    CancelPublic,
    CostPublic,
    EventPage,
    FeedbackCreate,
    FeedbackPublic,
    SubmittedTask,
    TaskDetail,
    TaskLinks,
    TaskPage,
    TaskPublic,
    TaskRequest,
    TaskStatusPublic,
)
from intelligent_office.api.state import ApiState, api_state
from intelligent_office.api.submission import submit_task
from intelligent_office.errors import UserError
from intelligent_office.store import RunRecord, TaskRecord

__all__ = ["router"]

router = APIRouter(
    prefix="/tasks",
    tags=["tasks"],
    dependencies=[Depends(rate_limited)],
    route_class=StrictJsonRoute,
)

State = Annotated[ApiState, Depends(api_state)]
TaskId = Annotated[str, Path(description="The task's id.", max_length=64)]


def _public(record: TaskRecord) -> TaskPublic:
    workspace = record.body.get("context", {}).get("workspace")
    return TaskPublic(
        task_id=record.task_id,
        user_id=record.user_id,
        description=record.description,
        status=record.status,
        priority=record.priority,
        workspace=workspace if isinstance(workspace, str) else None,
        created_at=record.created_at,
        updated_at=record.updated_at,
        links=TaskLinks.of(record.task_id),
    )


def _latest_run(state: ApiState, task_id: str) -> RunRecord | None:
    runs = state.store.runs.recent(task_id=task_id, limit=1)
    return runs[0] if runs else None


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Submit a task",
    response_model=SubmittedTask,
    responses={
        200: {"model": SubmittedTask, "description": "Same Idempotency-Key and request again."},
        **errors(400, 401, 403, 409, 429),
    },
)
async def create_task(
    request: Annotated[TaskRequest, Body()],
    response: Response,
    principal: Operator,
    state: State,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=200,
            description="Send the same key with the same request to get the same task back.",
        ),
    ] = None,
) -> SubmittedTask:
    """Queue a task: 202 with its ids and links. The same `Idempotency-Key` with the same
    body answers 200 with the first task; with another body, 409."""
    answer = await submit_task(state, principal, request, idempotency_key)
    if not answer.created:
        response.status_code = status.HTTP_200_OK
    return answer


@router.get(
    "",
    summary="List tasks, newest first",
    response_model=TaskPage,
    responses=errors(401, 403, 429),
)
def list_tasks(
    principal: CurrentPrincipal,
    state: State,
    status_filter: Annotated[
        str | None, Query(alias="status", max_length=32, description="Only tasks in this status.")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Words the description contains.")
    ] = None,
    user: Annotated[
        str | None, Query(max_length=128, description="Only this user's tasks (admins).")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> TaskPage:
    """Your tasks (an admin's: everyone's, or one `user`'s), filtered and paginated."""
    if user is not None and user != principal.user_id and not principal.is_admin:
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN,
            detail="only an admin may list another user's tasks: drop the `user` filter",
        )
    owner = user if principal.is_admin else principal.user_id
    records = state.store.tasks.search(
        user_id=owner, status=status_filter, text=q, limit=limit + 1, offset=offset
    )
    more = len(records) > limit
    return TaskPage(
        items=[_public(record) for record in records[:limit]],
        limit=limit,
        offset=offset,
        next_offset=offset + limit if more else None,
    )


def _progress(request: Request, state: ApiState, record: TaskRecord) -> TaskProgress:
    tracker: ProgressTracker = request.app.state.progress
    return tracker.progress(state.store, record)


@router.get(
    "/{task_id}",
    summary="A task: progress, subtasks, answer, cost",
    response_model=TaskDetail,
    responses=errors(401, 404, 429),
)
def get_task(
    task_id: TaskId, request: Request, principal: CurrentPrincipal, state: State
) -> TaskDetail:
    """Everything about one task; the answer once it has finished."""
    record = visible_task(state, principal, task_id)
    progress = _progress(request, state, record)
    run = _latest_run(state, task_id)
    result = (run.result if run is not None else None) or {}
    spend = state.store.llm_calls.spent(task_id)
    answer = result.get("answer")
    dead_letter = result.get("dead_letter_id")
    return TaskDetail(
        **_public(record).model_dump(),
        run_id=run.run_id if run else None,
        run_status=run.status.value if run else None,
        progress=progress.progress,
        current_step=progress.current_step,
        subtasks=progress.subtask_list(),
        answer=answer if isinstance(answer, str) else None,
        error=run.error if run else None,
        dead_letter_id=dead_letter if isinstance(dead_letter, str) else None,
        cost=CostPublic(usd=spend.cost_usd, tokens=spend.tokens, calls=spend.calls),
    )


@router.get(
    "/{task_id}/status",
    summary="A task's status, small and fast",
    response_model=TaskStatusPublic,
    responses=errors(401, 404, 429),
)
async def get_status(
    task_id: TaskId, request: Request, principal: CurrentPrincipal, state: State
) -> TaskStatusPublic:
    """Status, progress 0..1 and the current step: the thing to poll."""
    # On the event loop: two indexed reads cost less than a hop to the thread pool.
    record = visible_task(state, principal, task_id)
    progress = _progress(request, state, record)
    return TaskStatusPublic(
        task_id=task_id,
        status=record.status,
        progress=progress.progress,
        current_step=progress.current_step,
        updated_at=record.updated_at,
    )


@router.get(
    "/{task_id}/logs",
    summary="A task's stored events, paginated",
    response_model=EventPage,
    responses=errors(401, 404, 429),
)
def get_logs(
    task_id: TaskId,
    principal: CurrentPrincipal,
    state: State,
    after: Annotated[int, Query(ge=0, le=2**31, description="Only events with a larger seq.")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> EventPage:
    """Events in order of their sequence number, from just after `after`."""
    visible_task(state, principal, task_id)
    events = state.store.events.read(task_id, after_seq=after, limit=limit)
    full = len(events) == limit
    return EventPage(items=events, next_after=events[-1].seq if full else None)


@router.post(
    "/{task_id}/cancel",
    summary="Cancel a task",
    response_model=CancelPublic,
    responses=errors(401, 403, 404, 409, 429),
)
async def cancel_task(task_id: TaskId, principal: Operator, state: State) -> CancelPublic:
    """Stop a queued or running task, durably: it ends `cancelled` with a `task.cancelled`
    event. A finished task cannot be cancelled (409)."""
    record = visible_task(state, principal, task_id)
    run = _latest_run(state, task_id)
    if record.status in FINISHED_STATUSES or run is None:
        raise HTTPException(
            status_code=status.HTTP_409_CONFLICT,
            detail=f"task {task_id} has already {record.status}: only a queued or running task"
            " can be cancelled",
        )
    try:
        # Writes, which may wait for SQLite's write lock: not on the event loop.
        cancelled = await asyncio.to_thread(state.worker.cancel, run.run_id)
    except UserError as error:  # finished between the two reads
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=str(error)) from None
    current = state.store.tasks.get(task_id) or record
    return CancelPublic(
        task_id=task_id, status=current.status, cancel_requested=cancelled.cancel_requested
    )


@router.post(
    "/{task_id}/feedback",
    status_code=status.HTTP_201_CREATED,
    summary="Rate a task's answer",
    response_model=FeedbackPublic,
    responses=errors(400, 401, 403, 404, 429),
)
def add_feedback(
    task_id: TaskId, body: FeedbackCreate, principal: Operator, state: State
) -> FeedbackPublic:
    """Store a rating (1..5) and/or a comment; a `feedback.received` event announces it."""
    visible_task(state, principal, task_id)
    stored = state.store.feedback.add(
        task_id=task_id, user_id=principal.user_id, rating=body.rating, comment=body.comment
    )
    state.store.events.append(
        task_id=task_id,
        run_id=None,
        type="feedback.received",
        payload={"feedback_id": stored.id, "rating": stored.rating, "comment": stored.comment},
        dedup_key=f"feedback/{stored.id}",
    )
    return FeedbackPublic(
        id=stored.id,
        task_id=stored.task_id,
        user_id=stored.user_id,
        rating=stored.rating,
        comment=stored.comment,
        created_at=stored.created_at,
    )
