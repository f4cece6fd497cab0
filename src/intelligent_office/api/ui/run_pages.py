"""Run pages of the web UI: any run in time (a timeline and its steps) and "re-run from here".

A run of any kind (an Office task, a YAML graph, an agent workflow) has a page at
`/ui/runs/{run_id}`: its DAG (subtasks and steps, nodes, or agents and their pattern),
its timeline, each step with what it produced, its events, and on each step a form that
forks the run there (`office fork`), with that step's input or the task's text edited.
While the run runs, the page re-fetches its changing part (`/ui/runs/{id}/live`) on each
of the run's events (SSE), as the task page does. Another tenant's run is a 404 page.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from intelligent_office.api.auth import CurrentPrincipal, Principal
from intelligent_office.api.state import ApiState, api_state
from intelligent_office.api.ui.rendering import page
from intelligent_office.api.ui.run_graph import build_run_graph
from intelligent_office.api.ui.session import PagePrincipal, SameOrigin
from intelligent_office.api.ui.timeline import build_timeline
from intelligent_office.errors import UserError
from intelligent_office.models import Event
from intelligent_office.run_kinds import RunKind, run_kind
from intelligent_office.store import RunRecord

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
State = Annotated[ApiState, Depends(api_state)]


def _visible(state: ApiState, principal: Principal, run_id: str) -> RunRecord | None:
    run = state.store.runs.get(run_id)
    task = state.store.tasks.get(run.task_id) if run is not None else None
    if run is None or task is None or not principal.owns(task.user_id):
        return None
    return run


def _run_page(
    request: Request,
    state: ApiState,
    principal: Principal,
    run: RunRecord,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {**_live_context(state, principal, run), "error": error}
    return page(request, "run.html", principal, context, status_code=status_code)


def _live_context(state: ApiState, principal: Principal, run: RunRecord) -> dict[str, object]:
    run = state.store.runs.get(run.run_id) or run
    task = state.store.tasks.get(run.task_id)
    events = _run_events(state, run)
    timeline = build_timeline(state.store.journal.ordered(run.run_id), run.started_at)
    return {
        "run": run,
        "task": task,
        "kind": run_kind(run.workflow).value,
        "graph": build_run_graph(run, task.status if task else run.status.value, events),
        "events": events,
        "last_seq": events[-1].seq if events else 0,
        "timeline": timeline,
        "spend": state.store.llm_calls.spent(run.task_id),
        "forked_from": _lineage(task.body if task else {}),
        "can_fork": principal.can("operator"),
    }


def _run_events(state: ApiState, run: RunRecord) -> list[Event]:
    events: list[Event] = []
    while True:
        after = events[-1].seq if events else 0
        batch = state.store.events.read(run.task_id, after_seq=after, run_id=run.run_id)
        events.extend(batch)
        if len(batch) < 1000:
            return events


def _lineage(body: dict[str, object]) -> dict[str, object] | None:
    context = body.get("context")
    found = context.get("forked_from") if isinstance(context, dict) else body.get("forked_from")
    return found if isinstance(found, dict) else None


@router.get("/ui/runs/{run_id}")
def run_page(request: Request, state: State, principal: PagePrincipal, run_id: str) -> Response:
    """A run's timeline and its steps, each with a "re-run from here" form."""
    run = _visible(state, principal, run_id)
    if run is None:
        return page(
            request, "error.html", principal, {"message": f"no run {run_id}"}, status_code=404
        )
    return _run_page(request, state, principal, run)


@router.get("/ui/runs/{run_id}/live")
def run_fragment(
    request: Request, state: State, principal: CurrentPrincipal, run_id: str
) -> Response:
    """The changing part of the run page, re-fetched by the page as the run moves."""
    run = _visible(state, principal, run_id)
    if run is None:
        return page(
            request, "error.html", principal, {"message": f"no run {run_id}"}, status_code=404
        )
    return page(request, "_run_live.html", principal, _live_context(state, principal, run))


@router.post("/ui/runs/{run_id}/fork", dependencies=[SameOrigin])
async def fork_from_step(
    request: Request,
    state: State,
    principal: PagePrincipal,
    run_id: str,
    at: Annotated[str, Form(max_length=512)],
    step_input: Annotated[str, Form(alias="input", max_length=100_000)] = "",
    description: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """Fork the run at a step; on to the new run's page."""
    from intelligent_office.run_forks import ForkRequest, fork_run

    run = _visible(state, principal, run_id)
    if run is None:
        return page(
            request, "error.html", principal, {"message": f"no run {run_id}"}, status_code=404
        )
    if not principal.can("operator"):
        message = "role viewer may only read: re-running needs an operator or admin key"
        return _run_page(request, state, principal, run, error=message, status_code=403)
    try:
        patch = json.loads(step_input) if step_input.strip() else None
    except json.JSONDecodeError as error:
        message = f"the edited input is not JSON ({error.msg} at character {error.pos})"
        return _run_page(request, state, principal, run, error=message, status_code=400)
    fork = ForkRequest(
        run_id=run_id, at=at, input_patch=patch, description=description.strip() or None
    )
    try:
        made = await asyncio.to_thread(fork_run, state.store, state.worker, fork)
    except UserError as error:
        return _run_page(request, state, principal, run, error=str(error), status_code=400)
    if run_kind(run.workflow) is RunKind.TASK:
        return RedirectResponse(f"/ui/tasks/{made.task.task_id}", status_code=303)
    return RedirectResponse(f"/ui/runs/{made.run.run_id}", status_code=303)
