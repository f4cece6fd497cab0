"""Task pages of the web UI: the task box, the searchable history and the live task view.

Routes are thin: they call the same services as the REST API (`submit_task`, the store's
repositories) and render templates. The live view is one server-rendered fragment that
the page re-fetches whenever the task's SSE stream (`/tasks/{id}/events`) says
something happened, or every second if the stream is unavailable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, status
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.responses import Response

from intelligent_office.api.auth import CurrentPrincipal, Principal, visible_task
from intelligent_office.api.progress import task_progress
from intelligent_office.api.schemas import TaskRequest
from intelligent_office.api.state import ApiState, api_state
from intelligent_office.api.submission import submit_task
from intelligent_office.api.ui.dag import layout_dag
from intelligent_office.api.ui.history_rows import history_row
from intelligent_office.api.ui.outcome import gap_reports, task_outcome, web_answer
from intelligent_office.api.ui.rendering import page
from intelligent_office.api.ui.session import HOME, PagePrincipal, SameOrigin
from intelligent_office.api.ui.task_view import TaskProgress
from intelligent_office.errors import UserError
from intelligent_office.limits import MAX_TASK_DESCRIPTION_CHARS
from intelligent_office.models import Event
from intelligent_office.run_kinds import RunKind, run_kind
from intelligent_office.store import LLMCallRecord, TaskRecord
from intelligent_office.workspaces import visible_workspaces

__all__ = ["router"]

STATUSES = (
    "queued",
    "running",
    "completed",
    "partial",
    "unsupported",
    "dead_lettered",
    "failed",
    "cancelled",
)
PAGE_SIZE = 50

router = APIRouter(include_in_schema=False)
State = Annotated[ApiState, Depends(api_state)]


@dataclass(frozen=True)
class CostLine:
    """LLM calls of one agent and model, summed."""

    agent: str
    model: str
    calls: int
    tokens: int
    cost_usd: float


def _costs(calls: list[LLMCallRecord]) -> list[CostLine]:
    lines: dict[tuple[str, str], CostLine] = {}
    for call in calls:
        agent, model = call.agent, f"{call.provider}:{call.model}"
        line = lines.get((agent, model), CostLine(agent, model, 0, 0, 0.0))
        lines[(agent, model)] = CostLine(
            agent,
            model,
            line.calls + 1,
            line.tokens + call.input_tokens + call.output_tokens,
            line.cost_usd + call.cost_usd,
        )
    return [lines[key] for key in sorted(lines)]


def _all_events(state: ApiState, task_id: str) -> list[Event]:
    events: list[Event] = []
    while True:
        batch = state.store.events.read(task_id, after_seq=events[-1].seq if events else 0)
        events.extend(batch)
        if len(batch) < 1000:
            return events


def _home(
    request: Request,
    state: ApiState,
    principal: Principal,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = status.HTTP_400_BAD_REQUEST,
) -> Response:
    owner = None if principal.is_admin else principal.user_id
    context = {
        "recent": state.store.tasks.search(user_id=owner, limit=8),
        "roots": visible_workspaces(state.settings, principal.user_id),
        "error": error,
        "form": form or {"description": "", "workspace": "", "priority": "5"},
    }
    return page(request, "home.html", principal, context, status_code=status_code if error else 200)


@router.get("/")
def root() -> Response:
    """The UI is the front page of the server."""
    return RedirectResponse(HOME, status_code=status.HTTP_303_SEE_OTHER)


@router.get(HOME)
def home(request: Request, state: State, principal: PagePrincipal) -> Response:
    """The task box and the newest tasks."""
    return _home(request, state, principal)


@router.post("/ui/tasks", dependencies=[SameOrigin])
async def submit(
    request: Request,
    state: State,
    principal: PagePrincipal,
    description: Annotated[str, Form(max_length=MAX_TASK_DESCRIPTION_CHARS)] = "",
    workspace: Annotated[str, Form(max_length=4096)] = "",
    priority: Annotated[int, Form(ge=0, le=10)] = 5,
    signoff: Annotated[bool, Form()] = False,
) -> Response:
    """Submit the task box; go to the new task's live view, or show what was wrong."""
    form = {
        "description": description,
        "workspace": workspace,
        "priority": str(priority),
        "signoff": "on" if signoff else "",
    }
    if not principal.can("operator"):
        error = f"role {principal.role} may only read: submitting needs an operator key"
        return _home(request, state, principal, error=error, form=form, status_code=403)
    try:
        task_request = TaskRequest(
            description=description,
            workspace=workspace.strip() or None,
            priority=priority,
            signoff=signoff,
        )
        submitted = await submit_task(state, principal, task_request, None)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "task"
        return _home(request, state, principal, error=f"{field}: {first['msg']}", form=form)
    except UserError as error:
        return _home(request, state, principal, error=str(error), form=form)
    except HTTPException as error:  # 429 past a quota
        detail = str(error.detail)
        return _home(
            request, state, principal, error=detail, form=form, status_code=error.status_code
        )
    return RedirectResponse(f"/ui/tasks/{submitted.task_id}", status_code=303)


@router.get("/ui/tasks")
def history(
    request: Request,
    state: State,
    principal: PagePrincipal,
    q: Annotated[str, Query(max_length=500)] = "",
    status_filter: Annotated[str, Query(alias="status", max_length=50)] = "",
    kind_filter: Annotated[str, Query(alias="kind", max_length=50)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    """Every run this user may see (tasks, graph and agent workflows), newest first,
    filtered by text, status and kind."""
    owner = None if principal.is_admin else principal.user_id
    wanted = status_filter if status_filter in STATUSES else None
    kind = RunKind(kind_filter) if kind_filter in set(RunKind) else None
    found = state.store.tasks.search(
        user_id=owner,
        status=wanted,
        text=q.strip() or None,
        kind=kind,
        limit=PAGE_SIZE + 1,
        offset=(page_number - 1) * PAGE_SIZE,
    )
    shown = found[:PAGE_SIZE]
    latest = state.store.runs.latest_of_tasks([task.task_id for task in shown])
    context = {
        "tasks": shown,
        "rows": [history_row(task, latest.get(task.task_id)) for task in shown],
        "q": q,
        "status": wanted or "",
        "statuses": STATUSES,
        "kind": kind.value if kind else "",
        "kinds": [k.value for k in RunKind],
        "page_number": page_number,
        "more": len(found) > PAGE_SIZE,
    }
    return page(request, "history.html", principal, context)


def _live_context(state: ApiState, record: TaskRecord) -> dict[str, object]:
    current = state.store.tasks.get(record.task_id) or record
    events = _all_events(state, record.task_id)
    progress = TaskProgress.from_events(current.status, events)
    summary = task_progress(current.status, events)
    dag = layout_dag(
        [(s.subtask_id, s.description, s.dependencies) for s in progress.subtasks.values()],
        {s.subtask_id: s.status for s in progress.subtasks.values()},
    )
    plan_dags = {
        f"{subtask_id} · iteration {iteration}": layout_dag(
            [(s.step_id, f"{s.tool} {s.when}".strip(), s.dependencies) for s in steps],
            {s.step_id: s.status for s in steps},
        )
        for (subtask_id, iteration), steps in progress.plan_graphs().items()
    }
    calls = state.store.llm_calls.for_task(record.task_id)
    runs = state.store.runs.recent(task_id=record.task_id, limit=1)
    gaps = state.store.tool_gaps.recent(task_id=record.task_id)
    return {
        "task": current,
        "run": runs[0] if runs else None,
        "progress": progress,
        "summary": summary,
        "outcome": task_outcome(progress.status, summary.progress, progress.subtasks),
        "answer": web_answer(progress.answer, progress.dead_letter_id),
        "gaps": gap_reports(gap.report for gap in gaps),
        "dag": dag,
        "plan_dags": plan_dags,
        "costs": _costs(calls),
        "spend": state.store.llm_calls.spent(record.task_id),
        "approvals": state.store.approvals.list(status=None, task_id=record.task_id),
    }


@router.get("/ui/tasks/{task_id}")
def task_page(request: Request, state: State, principal: PagePrincipal, task_id: str) -> Response:
    """The live view of one task."""
    try:
        record = visible_task(state, principal, task_id)  # 404 for another tenant's task too
    except HTTPException as error:
        return page(request, "error.html", principal, {"message": error.detail}, status_code=404)
    latest = state.store.runs.recent(task_id=task_id, limit=1)
    if latest and run_kind(latest[0].workflow) is not RunKind.TASK:
        # A graph or agent workflow has no subtasks: its run page shows its steps.
        return RedirectResponse(f"/ui/runs/{latest[0].run_id}", status_code=303)
    return page(request, "task.html", principal, _live_context(state, record))


@router.get("/ui/tasks/{task_id}/live")
def task_fragment(
    request: Request, state: State, principal: CurrentPrincipal, task_id: str
) -> Response:
    """The changing part of the task view, re-fetched by the page as the task moves."""
    record = visible_task(state, principal, task_id)
    return page(request, "_task_live.html", principal, _live_context(state, record))
