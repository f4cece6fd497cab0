"""What each step saw, on SQLite and PostgreSQL: the journal keeps every activity's input
(capped when huge) and its measured start, `run_steps` lists them, and the run page's
timeline draws a bar from the measured start rather than reconstructing it (rows without
a start keep the reconstruction: tests/ui/test_timeline.py)."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel

from intelligent_office.api.ui.timeline import build_timeline
from intelligent_office.run_forks import run_steps
from intelligent_office.runtime import LocalWorker, Runtime, WorkflowRegistry, workflow_def
from intelligent_office.runtime.step_input import INPUT_CAP_CHARS, TRUNCATED_MARKER
from intelligent_office.store import RunStatus, Store
from tests.runtime.workflows import Collected, Label, echo

NAP = 0.3


class Parallel(BaseModel):
    big: str = ""


@workflow_def("test.parallel_naps")
async def parallel_naps(runtime: Runtime, value: Parallel) -> Collected:
    # Two naps side by side in the run's own lane: a reconstruction would start the
    # second where the first ended; measured, both start together.
    naps = await asyncio.gather(
        runtime.activity("nap/a", echo, Label(label=f"{runtime.run_id}:a", delay=NAP)),
        runtime.activity("nap/b", echo, Label(label=f"{runtime.run_id}:b", delay=NAP)),
    )
    last = await runtime.activity("big", echo, Label(label=value.big or f"{runtime.run_id}:c"))
    return Collected(labels=[*(nap.label for nap in naps), last.label[:10]])


async def test_steps_list_their_input_and_measured_start(store: Store) -> None:
    task, _ = store.tasks.create(task_id="seen-task", user_id="u", description="naps")
    worker = LocalWorker(store, WorkflowRegistry([parallel_naps]))
    big = "x" * (INPUT_CAP_CHARS + 500)
    run = worker.submit("test.parallel_naps", Parallel(big=big), task_id=task.task_id)
    done = await worker.run(run.run_id)
    assert done.status is RunStatus.COMPLETED

    steps = {step.key: step for step in run_steps(store, run.run_id)}
    assert steps["nap/a"].input == {"label": f"{run.run_id}:a", "delay": NAP}
    assert steps["nap/b"].input == {"label": f"{run.run_id}:b", "delay": NAP}
    for key in ("nap/a", "nap/b"):
        started, finished = steps[key].started_at, steps[key].recorded_at
        assert started is not None and started < finished
    capped = steps["big"].input
    assert isinstance(capped, dict) and capped[TRUNCATED_MARKER] is True
    assert capped["chars"] > INPUT_CAP_CHARS and len(capped["head"]) == INPUT_CAP_CHARS

    timeline = build_timeline(store.journal.ordered(run.run_id), done.started_at)
    naps = [step for step in timeline.steps if step.key.startswith("nap/")]
    assert len(naps) == 2 and all(step.measured for step in naps)
    # Each nap took its own NAP seconds, not NAP plus the other's (the reconstruction).
    assert all(NAP * 0.9 <= step.seconds < NAP * 1.6 for step in naps), naps
    bars = {bar.step.key: bar for bar in timeline.bars}
    assert abs(bars["nap/a"].x - bars["nap/b"].x) < 0.25 * bars["nap/a"].width
    assert '"delay": 0.3' in bars["nap/a"].step.input
