"""Submitting a task over HTTP: idempotency per user, quotas, and a confined workspace.

Every front door that starts a task (`POST /tasks`, the chat endpoint, the web UI)
calls `submit_task`, so they share one set of rules:

- An `Idempotency-Key` belongs to the user: the store keeps the user and the key as
  two columns with a unique pair, so one tenant's key never finds (or names, in a 409)
  another's task. The same key with the same request returns the first task; with a
  different request it is a 409, told by the SHA-256 of the request.
- A task's workspace resolves (symlinks followed) inside the user's own directory
  `<root>/<user id>/` or a shared workspace listing the user (`workspaces`): an API user
  cannot point the tools at another tenant's files, or at any other directory.
- The user's concurrent-task and daily-cost quotas are checked before a new task.
"""

from __future__ import annotations

import asyncio
import hashlib
import json

from fastapi import HTTPException, status

from intelligent_office.api.auth import Principal
from intelligent_office.api.limits import check_task_quotas
from intelligent_office.api.schemas import SubmittedTask, TaskLinks, TaskRequest
from intelligent_office.api.state import ApiState
from intelligent_office.errors import UserError
from intelligent_office.models import Task
from intelligent_office.safe_text import excerpt
from intelligent_office.store import RunRecord, TaskRecord
from intelligent_office.task_input import new_task
from intelligent_office.workspaces import resolve_tenant_workspace

__all__ = ["request_hash", "submit_task", "submitted"]

MAX_IDEMPOTENCY_KEY = 200


def request_hash(request: TaskRequest) -> str:
    """SHA-256 of the request's canonical JSON (sorted keys, defaults filled in)."""
    # Fields added later are left out at their defaults, so digests stored before them
    # (and the idempotency keys they guard) stay valid.
    unset = {name for name in ("max_duration", "deadline") if getattr(request, name) is None}
    if not request.signoff:
        unset.add("signoff")
    body = request.model_dump(mode="json", exclude=unset)
    if not body.get("criteria"):
        del body["criteria"]
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def submitted(record: TaskRecord, run: RunRecord, *, created: bool) -> SubmittedTask:
    """The answer for a submitted (or found again) task."""
    workspace = record.body.get("context", {}).get("workspace")
    return SubmittedTask(
        task_id=record.task_id,
        run_id=run.run_id,
        created=created,
        user_id=record.user_id,
        description=record.description,
        status=record.status,
        priority=record.priority,
        workspace=workspace if isinstance(workspace, str) else None,
        created_at=record.created_at,
        updated_at=record.updated_at,
        links=TaskLinks.of(record.task_id),
    )


def _replay(state: ApiState, record: TaskRecord, digest: str, key: str) -> SubmittedTask:
    if record.request_hash != digest:
        raise HTTPException(
            status_code=status.HTTP_409_CONFLICT,
            detail=(
                f"Idempotency-Key {excerpt(key)!r} was used for task {record.task_id} with"
                " a different request: send the same request to get that task, or use a new key"
            ),
        )
    runs = state.store.runs.recent(task_id=record.task_id, limit=1)
    if not runs:  # the first request stored the task but stopped before queuing its run
        record, run = state.office.submit(state.worker, Task.model_validate(record.body))
        return submitted(record, run, created=False)
    current = state.store.tasks.get(record.task_id) or record
    return submitted(current, runs[0], created=False)


async def submit_task(
    state: ApiState,
    principal: Principal,
    request: TaskRequest,
    idempotency_key: str | None,
) -> SubmittedTask:
    """Store and queue a task for this principal; the same key and request give the same task.

    Raises:
        HTTPException: 409 for a reused key with another request, 429 past a quota.
        UserError: a bad workspace or task (answered 400).
    """
    # On a thread: the inserts may wait for SQLite's write lock, which must not stall the
    # event loop (and every request and run on it) meanwhile.
    return await asyncio.to_thread(_submit, state, principal, request, idempotency_key)


def _submit(
    state: ApiState, principal: Principal, request: TaskRequest, idempotency_key: str | None
) -> SubmittedTask:
    # One submission at a time: the key's lookup and the insert of its task and run cannot
    # interleave with another request's, so one key never queues two runs.
    with state.submissions:
        return _submit_now(state, principal, request, idempotency_key)


def _submit_now(
    state: ApiState, principal: Principal, request: TaskRequest, idempotency_key: str | None
) -> SubmittedTask:
    if idempotency_key is not None and not idempotency_key.strip():
        raise UserError("Idempotency-Key must not be empty: send a unique string or omit it")
    if idempotency_key is not None and len(idempotency_key) > MAX_IDEMPOTENCY_KEY:
        raise UserError(f"Idempotency-Key is longer than {MAX_IDEMPOTENCY_KEY} characters")
    key = idempotency_key or None
    digest = request_hash(request)
    if key is not None:
        existing = state.store.tasks.by_idempotency_key(principal.user_id, key)
        if existing is not None:
            return _replay(state, existing, digest, key)
    check_task_quotas(state, principal)
    workspace = resolve_tenant_workspace(state.settings, principal.user_id, request.workspace)
    task = new_task(
        request.description,
        workspace=workspace,
        allowed_tools=request.allowed_tools,
        priority=request.priority,
        user_id=principal.user_id,
        max_cost=request.max_cost,
        max_tokens=request.max_tokens,
        signoff=request.signoff,
        criteria=request.criteria,
        max_duration=request.max_duration,
        deadline=request.deadline,
    ).model_copy(update={"idempotency_key": key})
    record, run = state.office.submit(
        state.worker,
        task,
        request_hash=digest,
        submitted={
            "description": task.description,
            "priority": task.priority,
            "user_id": principal.user_id,
            "workspace": str(workspace),
        },
    )
    if record.task_id != task.task_id:  # another process won the race on this key
        return _replay(state, record, digest, key or "")
    return submitted(record, run, created=True)
