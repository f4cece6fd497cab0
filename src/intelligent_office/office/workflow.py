"""The Office workflow: decompose a task, work each subtask, answer or dead-letter it.

Deterministic workflow code: every effect is an agent activity called through the
runtime, so the same code runs inline, on the durable local runtime and on Temporal.
Independent subtasks run in parallel (up to `max_parallel_subtasks`); a subtask whose
dependency did not complete is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib

from intelligent_office.activities.messages import (
    DeadLetterInput,
    DecomposeInput,
    TaskFinish,
)
from intelligent_office.activities.office_activities import OfficeActivities
from intelligent_office.errors import ActivityError, LeaseLost
from intelligent_office.llm.base import SubtaskAnswer, SynthesisRequest
from intelligent_office.models import Subtask, SubtaskGraph
from intelligent_office.models._dependencies import find_cycle
from intelligent_office.models.tool_gap import CLARIFICATION_PREFIX
from intelligent_office.office.calls import AgentCaller, failure_category
from intelligent_office.office.contracts import (
    DeadLetterCategory,
    OfficeInput,
    OfficeOutput,
    SubtaskOutcome,
    SubtaskStatus,
    TaskStatus,
)
from intelligent_office.office.deadline import TimeLimit
from intelligent_office.office.subtask_loop import SubtaskLoop
from intelligent_office.runtime.activity import Empty
from intelligent_office.runtime.base import Runtime
from intelligent_office.runtime.workflow import WorkflowDef, workflow_def

__all__ = ["OFFICE_WORKFLOW", "office_workflow", "run_office"]

OFFICE_WORKFLOW = "office.task"


def office_workflow(agents: OfficeActivities) -> WorkflowDef[OfficeInput, OfficeOutput]:
    """The Office workflow bound to these agents, registered as `office.task`."""

    @workflow_def(OFFICE_WORKFLOW)
    async def run_task(runtime: Runtime, value: OfficeInput) -> OfficeOutput:
        try:
            return await run_office(runtime, agents, value)
        except (LeaseLost, asyncio.CancelledError):
            raise  # another worker carries on with this task
        except Exception:
            # The run fails; say so on the task too rather than leave it "running".
            failed = TaskFinish(task_id=value.task.task_id, status="failed")
            with contextlib.suppress(ActivityError):
                await runtime.activity("task/failed", agents.finish_task, failed)
            raise

    return run_task


async def run_office(
    runtime: Runtime, agents: OfficeActivities, value: OfficeInput
) -> OfficeOutput:
    """Take the task from description to answer (or to the dead-letter queue)."""
    task = value.task
    call = AgentCaller(runtime, agents, value)
    await runtime.emit("task.started", {"description": task.description}, key="task/started")
    await call(
        "task/running",
        agents.finish_task,
        TaskFinish(task_id=task.task_id, status="running"),
    )
    listing = await call("tools/listed", agents.list_tools, Empty())
    if listing.servers:
        await runtime.emit("mcp.tools", listing.model_dump(mode="json"), key="mcp/tools")
    time_limit = await TimeLimit.of(runtime, task)
    late = await time_limit.passed(runtime, "task/time_limit/before_decompose")
    if late is not None:
        output = OfficeOutput(
            task_id=task.task_id,
            status=TaskStatus.DEAD_LETTERED,
            answer="",
            failure_category=DeadLetterCategory.TIMEOUT,
            failure_reason=f"stopped before it began: {late}",
        )
        return await _dead_letter(call, output)
    try:
        graph = await call("decompose", agents.decompose, DecomposeInput(task=task))
    except ActivityError as error:
        category = failure_category(error)
        output = OfficeOutput(
            task_id=task.task_id,
            status=TaskStatus.DEAD_LETTERED,
            answer="",
            failure_category=category,
            failure_reason=f"decomposing the task failed: {error.detail}",
        )
        return await _dead_letter(call, output)
    cycle = find_cycle([(s.subtask_id, s.dependencies) for s in graph.subtasks])
    if cycle is not None:
        # Each subtask would wait for the next forever: stop, and say which ones.
        output = OfficeOutput(
            task_id=task.task_id,
            status=TaskStatus.DEAD_LETTERED,
            answer="",
            graph=graph,
            failure_category=DeadLetterCategory.VALIDATION,
            failure_reason="the decomposition's subtasks depend on each other in a cycle: "
            + " -> ".join(cycle),
        )
        return await _dead_letter(call, output)
    await runtime.emit(
        "task.decomposed",
        {
            "subtasks": [
                {
                    "subtask_id": subtask.subtask_id,
                    "description": subtask.description,
                    "dependencies": list(subtask.dependencies),
                    "tool_hints": list(subtask.tool_hints),
                }
                for subtask in graph.subtasks
            ]
        },
        key="task/decomposed",
    )
    outcomes = await _run_subtasks(runtime, agents, value, graph, time_limit)
    return await _conclude(call, graph, outcomes)


async def _run_subtasks(
    runtime: Runtime,
    agents: OfficeActivities,
    value: OfficeInput,
    graph: SubtaskGraph,
    time_limit: TimeLimit,
) -> dict[str, SubtaskOutcome]:
    loop = SubtaskLoop(runtime, agents, value, time_limit=time_limit)
    outcomes: dict[str, SubtaskOutcome] = {}
    finished = {subtask.subtask_id: asyncio.Event() for subtask in graph.subtasks}
    slots = asyncio.Semaphore(value.max_parallel_subtasks)

    async def work(subtask: Subtask) -> None:
        try:
            for dependency in subtask.dependencies:
                await finished[dependency].wait()
            blocked = [
                dep
                for dep in subtask.dependencies
                if outcomes[dep].status is not SubtaskStatus.COMPLETED
            ]
            if blocked:
                reason = f"dependency {blocked[0]!r} did not complete"
                outcomes[subtask.subtask_id] = SubtaskOutcome(
                    subtask=subtask, status=SubtaskStatus.SKIPPED, failure_reason=reason
                )
                await runtime.emit(
                    "subtask.skipped",
                    {"subtask_id": subtask.subtask_id, "reason": reason},
                    key=f"subtask/{subtask.subtask_id}/finished",
                )
                return
            upstream = {dep: outcomes[dep].answer for dep in subtask.dependencies}
            async with slots:
                outcomes[subtask.subtask_id] = await loop.run(subtask, upstream)
        finally:
            finished[subtask.subtask_id].set()

    try:
        async with asyncio.TaskGroup() as group:
            for subtask in graph.subtasks:
                group.create_task(work(subtask))
    except BaseExceptionGroup as errors:
        # Surface the error itself (e.g. LeaseLost), which the runtime knows how to handle.
        raise errors.exceptions[0] from None
    return {subtask.subtask_id: outcomes[subtask.subtask_id] for subtask in graph.subtasks}


async def _conclude(
    call: AgentCaller, graph: SubtaskGraph, outcomes: dict[str, SubtaskOutcome]
) -> OfficeOutput:
    task, agents = call.office_input.task, call.agents
    answers = [
        SubtaskAnswer(
            subtask_id=sid,
            description=outcome.subtask.description,
            status=outcome.status.value,
            answer=outcome.answer or outcome.failure_reason or _gap_text(outcome),
        )
        for sid, outcome in outcomes.items()
    ]
    output = OfficeOutput(
        task_id=task.task_id,
        status=TaskStatus.COMPLETED,
        answer="",
        graph=graph,
        subtasks=outcomes,
        gaps=[outcome.gap for outcome in outcomes.values() if outcome.gap is not None],
    )
    try:
        synthesis = await call(
            "synthesize", agents.synthesize, SynthesisRequest(task=task, answers=answers)
        )
    except ActivityError as error:
        output.failure_category = failure_category(error)
        output.failure_reason = f"writing the answer failed: {error.detail}"
        return await _dead_letter(call, output)
    output.answer = synthesis.text
    failed = [o for o in outcomes.values() if o.status is SubtaskStatus.FAILED]
    if failed:
        output.failure_category = failed[0].failure_category
        output.failure_reason = (
            f"subtask {failed[0].subtask.subtask_id}: {failed[0].failure_reason}"
        )
        return await _dead_letter(call, output)
    if output.gaps:
        output.status = TaskStatus.UNSUPPORTED
    await _finish(call, output)
    return output


def _gap_text(outcome: SubtaskOutcome) -> str:
    gap = outcome.gap
    if gap is None:
        return ""
    if gap.proposed_request:
        # A question back; "yes" in the chat runs the proposed request (api/chat.py).
        return (
            f"Not sure what you meant by: {gap.request}\n{gap.suggestion}\n"
            f"{CLARIFICATION_PREFIX}{gap.proposed_request}?"
        )
    return (
        f"Cannot do this: {gap.request}\n"
        f"Missing: {', '.join(gap.missing_capabilities)}\n{gap.suggestion}"
    )


async def _dead_letter(call: AgentCaller, output: OfficeOutput) -> OfficeOutput:
    runtime, agents, value = call.runtime, call.agents, call.office_input
    output.status = TaskStatus.DEAD_LETTERED
    output.dead_letter_id = runtime.uuid(f"task/{output.task_id}/dead_letter")
    category = output.failure_category or DeadLetterCategory.REVIEW
    reason = output.failure_reason or "unknown"
    await call(
        "dead_letter",
        agents.dead_letter,
        DeadLetterInput(
            dead_letter_id=output.dead_letter_id,
            task=value.task,
            run_id=runtime.run_id,
            category=category.value,
            reason=reason,
            history=output.model_dump(mode="json", include={"graph", "subtasks", "answer"}),
        ),
    )
    letter = output.dead_letter_id
    output.answer = (
        f"The task could not be finished ({category.value}): {reason}\n"
        f"Dead letter {letter}: `office dlq show {letter}` to inspect,"
        f" `office dlq retry {letter} --description ...` to resubmit."
        + (f"\n\nWhat was done:\n{output.answer}" if _any_completed(output) else "")
    )
    await runtime.emit(
        "dead_letter.created",
        {"dead_letter_id": output.dead_letter_id, "category": category.value, "reason": reason},
        key="dead_letter/created",
    )
    await _finish(call, output)
    return output


def _any_completed(output: OfficeOutput) -> bool:
    return any(o.status is SubtaskStatus.COMPLETED for o in output.subtasks.values())


async def _finish(call: AgentCaller, output: OfficeOutput) -> None:
    runtime, agents = call.runtime, call.agents
    await call(
        "task/finish",
        agents.finish_task,
        TaskFinish(task_id=output.task_id, status=output.status.value),
    )
    await runtime.emit(
        f"task.{output.status.value}",
        {"answer": output.answer, "dead_letter_id": output.dead_letter_id},
        key="task/finished",
    )
