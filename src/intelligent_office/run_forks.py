"""Fork a stored run from one of its steps: a new task and run that replay the steps before.

The CLI (`office fork`), the API (`POST /runs/{id}/fork`) and the web UI ("re-run from
here") all call `fork_run`. The original run, its task and its events are never
changed; the new task records where it came from (`context.forked_from`) and its first
event is `task.forked`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import JsonValue, ValidationError

from intelligent_office.errors import UserError
from intelligent_office.models import Task
from intelligent_office.runtime.fork import (
    cut_journal,
    input_patch_entry,
    is_step,
    replace_entry,
    step_label,
)
from intelligent_office.runtime.step_input import input_value
from intelligent_office.runtime.worker import LocalWorker
from intelligent_office.store import JournalEntry, RunRecord, Store, TaskRecord

__all__ = ["Fork", "ForkRequest", "StepRow", "fork_run", "run_steps"]


@dataclass(frozen=True)
class ForkRequest:
    """Which run to fork, at which step, with what edited."""

    run_id: str
    at: str
    """A step's number in `office steps` (1 is the first) or its key."""
    input_patch: JsonValue = None
    """Merged into the step's input (objects key by key); None: the input is unchanged."""
    description: str | None = None
    """The task's new text; None: unchanged."""


@dataclass(frozen=True)
class Fork:
    """The new task and run, and where they came from."""

    task: TaskRecord
    run: RunRecord
    parent_task_id: str
    parent_run_id: str
    step: str
    replayed_steps: int


@dataclass(frozen=True)
class StepRow:
    """One step of a run, as `office steps` and `GET /runs/{id}/steps` list it."""

    number: int
    key: str
    activity: str
    ok: bool
    error: str | None
    recorded_at: str
    started_at: str | None
    """When the step started, as measured; None for steps recorded before it was kept."""
    input: JsonValue
    """What the step was given (a very large input is capped, see `runtime.step_input`)."""


def run_steps(store: Store, run_id: str) -> list[StepRow]:
    """The steps a run recorded, numbered in the order they finished (fork points)."""
    entries = [entry for entry in store.journal.ordered(run_id) if is_step(entry)]
    return [
        StepRow(
            number=number,
            key=step_label(entry.key),
            activity=entry.activity,
            ok=entry.ok,
            error=entry.error,
            recorded_at=entry.recorded_at.isoformat() if entry.recorded_at else "",
            started_at=entry.started_at.isoformat() if entry.started_at else None,
            input=input_value(entry.input),
        )
        for number, entry in enumerate(entries, start=1)
    ]


def fork_run(
    store: Store, worker: LocalWorker | None, request: ForkRequest, *, user_id: str | None = None
) -> Fork:
    """Queue a new run that replays `request.run_id` up to `request.at` and runs on from there.

    With a local `worker`, it is woken to run the fork; without one the run waits in the
    queue (for `office temporal worker`'s bridge, or a worker started later). With
    `user_id`, the run must belong to that user (another tenant's run is "no run").

    Raises:
        UserError: no such run (for this user), no such step, or an invalid edit.
    """
    parent = store.runs.get(request.run_id)
    parent_task = store.tasks.get(parent.task_id) if parent is not None else None
    if parent is None or parent_task is None or (user_id and parent_task.user_id != user_id):
        raise UserError(f"no run {request.run_id!r}: `office runs` lists the runs")
    if request.description is not None:
        _check_description(request.description)
    cut = cut_journal(store.journal.ordered(parent.run_id), request.at)
    step_key = cut.step.key
    journal: list[JournalEntry] = list(cut.kept)
    if request.input_patch is not None:
        journal.append(input_patch_entry(step_key, request.input_patch))
    description = parent_task.description
    if request.description is not None and request.description != description:
        journal.append(replace_entry(description, request.description))
        description = request.description
    task_id = uuid.uuid4().hex
    lineage: dict[str, JsonValue] = {
        "task_id": parent_task.task_id,
        "run_id": parent.run_id,
        "step": step_label(step_key),
    }
    body, run_input = _forked_body_and_input(parent, parent_task, task_id, description, lineage)
    task, _ = store.tasks.create(
        task_id=task_id,
        user_id=parent_task.user_id,
        description=description,
        priority=parent.priority,
        body=body,
    )
    store.events.append(
        task_id=task_id,
        run_id=None,
        type="task.forked",
        payload={
            **lineage,
            "replayed_steps": sum(1 for entry in cut.kept if is_step(entry)),
            "input": request.input_patch,
            "description": request.description,
        },
        dedup_key="task/forked",
    )
    if worker is not None:
        definition = worker.registry.get(parent.workflow)
        run = worker.submit(
            parent.workflow,
            definition.input_type.model_validate(run_input),
            task_id=task_id,
            priority=parent.priority,
            journal=journal,
        )
    else:
        run = store.runs.create(
            run_id=uuid.uuid4().hex,
            task_id=task_id,
            workflow=parent.workflow,
            input=run_input,
            priority=parent.priority,
            journal=journal,
        )
    store.audit.add(
        actor=parent_task.user_id,
        action="run.forked",
        subject=f"run {parent.run_id} at {step_label(step_key)}",
        reason="",
        task_id=task_id,
        run_id=run.run_id,
        detail={**lineage, "edited_input": request.input_patch is not None},
    )
    return Fork(
        task=task,
        run=run,
        parent_task_id=parent_task.task_id,
        parent_run_id=parent.run_id,
        step=step_label(step_key),
        replayed_steps=sum(1 for entry in cut.kept if is_step(entry)),
    )


def _check_description(description: str) -> None:
    if not description.strip():
        raise UserError("the new description is empty: pass the task's text")


def _forked_body_and_input(
    parent: RunRecord,
    parent_task: TaskRecord,
    task_id: str,
    description: str,
    lineage: dict[str, JsonValue],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The new task's stored body and the new run's input, pointing at the new task."""
    body = dict(parent_task.body)
    run_input = dict(parent.input)
    stored_task = run_input.get("task")
    if isinstance(stored_task, dict) and stored_task.get("task_id") == parent_task.task_id:
        # An Office task: the task travels in the run's input.
        context = dict(stored_task.get("context") or {})
        context["forked_from"] = lineage
        changed = {
            **stored_task,
            "task_id": task_id,
            "description": description,
            "idempotency_key": None,
            "context": context,
        }
        run_input["task"] = changed
        try:
            body = Task.model_validate(changed).model_dump(mode="json")
        except ValidationError as error:
            raise UserError(f"bad task: {error.errors()[0]['msg']}") from None
    else:
        body["forked_from"] = lineage
    return body, run_input
