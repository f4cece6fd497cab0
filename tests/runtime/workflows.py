"""Small workflows and activities the runtime tests run (kept importable by name)."""

from __future__ import annotations

import asyncio
from collections import Counter

from pydantic import BaseModel

from intelligent_office.errors import PermanentError, SignalTimeout
from intelligent_office.runtime import Runtime, WorkflowRegistry, activity, workflow_def

# How often each activity body really ran, by label: replays must not add to it.
CALLS: Counter[str] = Counter()


class Label(BaseModel):
    label: str
    delay: float = 0.0


class Echoed(BaseModel):
    label: str


class Steps(BaseModel):
    count: int = 3
    delay: float = 0.0
    fail_at: int | None = None


class Collected(BaseModel):
    labels: list[str]


@activity("test.echo")
async def echo(value: Label) -> Echoed:
    CALLS[value.label] += 1
    if value.delay:
        await asyncio.sleep(value.delay)
    return Echoed(label=value.label)


@activity("test.fail")
async def fail(value: Label) -> Echoed:
    CALLS[value.label] += 1
    raise PermanentError(f"{value.label} cannot be done")


@workflow_def("test.steps")
async def steps(runtime: Runtime, value: Steps) -> Collected:
    labels = []
    for index in range(value.count):
        target = fail if index == value.fail_at else echo
        result = await runtime.activity(
            f"step/{index}", target, Label(label=f"{runtime.run_id}:{index}", delay=value.delay)
        )
        labels.append(result.label)
    return Collected(labels=labels)


class SignalWait(BaseModel):
    name: str = "approval"
    timeout: float | None = None


@workflow_def("test.wait_signal")
async def wait_signal(runtime: Runtime, value: SignalWait) -> Collected:
    await runtime.activity("before", echo, Label(label=f"{runtime.run_id}:before"))
    try:
        payload = await runtime.wait_signal(value.name, timeout_seconds=value.timeout)
    except SignalTimeout:
        return Collected(labels=["timeout"])
    return Collected(labels=[str(payload)])


class Nap(BaseModel):
    seconds: float


@workflow_def("test.sleep")
async def sleeper(runtime: Runtime, value: Nap) -> Collected:
    await runtime.sleep("nap", value.seconds)
    stamp = await runtime.now("after")
    return Collected(labels=[stamp.isoformat(), runtime.uuid("id")])


def registry() -> WorkflowRegistry:
    """Every test workflow."""
    return WorkflowRegistry([steps, wait_signal, sleeper])
