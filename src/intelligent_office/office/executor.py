"""The executor: a plan's steps run as a DAG through the engine, one activity per tool call.

Deterministic workflow code. Each step is an engine node whose activity key carries
the step (`subtask/s1/iter/2/node/trace/attempt/1`); its tool receives the step's
idempotency key; transient failures of idempotent tools are retried with exponential
backoff; a step's
input is built from the outputs of the steps it depends on, so `${step.field}`
references resolve.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pydantic import BaseModel, JsonValue

from intelligent_office.activities.messages import StepCall, StepOutput
from intelligent_office.activities.office_activities import OfficeActivities
from intelligent_office.engine.graph import Graph, Node
from intelligent_office.engine.result import GraphResult, GraphStatus, NodeResult, NodeStatus
from intelligent_office.engine.retry import RetryPolicy
from intelligent_office.engine.scheduler import run_graph
from intelligent_office.models import (
    ExecutionMetrics,
    ExecutionResult,
    ExecutionStatus,
    Plan,
    Step,
    StepResult,
    StepStatus,
    Task,
    ToolCall,
)
from intelligent_office.office.branches import (
    DEFAULT_MAX_FOR_EACH_ITEMS,
    items_of,
    skip_reason,
)
from intelligent_office.runtime.base import Runtime

__all__ = ["STEP_RETRY", "execute_plan"]

STEP_RETRY = RetryPolicy.exponential(
    delay_seconds=0.5, max_attempts=3, max_delay_seconds=10, jitter=0.2
)
"""Retries for a step whose idempotent tool failed with a transient error (timeouts
included); a tool that is not idempotent (python_exec) is never retried."""


def _step_input(
    task: Task, plan: Plan, step: Step, max_items: int, timeout_seconds: float | None
) -> Callable[[Mapping[str, BaseModel]], StepCall]:
    def build(outputs: Mapping[str, BaseModel]) -> StepCall:
        upstream: dict[str, JsonValue] = {
            step_id: output.result if isinstance(output, StepOutput) else None
            for step_id, output in outputs.items()
        }
        return StepCall(
            for_each=None if step.for_each is None else items_of(step, upstream, max_items),
            task=task,
            plan_id=plan.plan_id,
            step_id=step.step_id,
            tool=step.action,
            inputs=step.inputs,
            upstream=upstream,
            # Unique per task: plan and step ids repeat from one task to the next.
            idempotency_key=f"{task.task_id}/{step.idempotency_key or step.step_id}",
            timeout_seconds=timeout_seconds,
            subtask_id=plan.subtask_id,
        )

    return build


def _idempotent(agents: OfficeActivities, step: Step) -> bool:
    """Only tools that are safe to call twice are retried after a failure."""
    return step.action in agents.tools and agents.tools.get(step.action).spec.idempotent


async def execute_plan(
    runtime: Runtime,
    agents: OfficeActivities,
    task: Task,
    plan: Plan,
    *,
    key_prefix: str,
    max_parallel: int,
    max_for_each_items: int = DEFAULT_MAX_FOR_EACH_ITEMS,
    time_left: float | None = None,
) -> ExecutionResult:
    """Run every step of the plan and report each one's outcome.

    `time_left`: seconds until the task's time limit; no step runs longer, and a step
    cut short by it is not retried.
    """

    def limited(step: Step) -> tuple[float, float, RetryPolicy]:
        """The step's budget (all its items), one call's timeout, and its retries."""
        retry = STEP_RETRY if _idempotent(agents, step) else RetryPolicy.none()
        # A loop runs the tool once per item within one attempt: give it the time.
        budget = step.timeout_seconds * (max_for_each_items if step.for_each else 1)
        if time_left is None or budget <= time_left:
            return budget, step.timeout_seconds, retry
        cut = max(time_left, 0.001)
        return cut, min(step.timeout_seconds, cut), RetryPolicy.none()

    nodes = []
    for step in plan.steps:
        budget, per_call, retry = limited(step)
        nodes.append(
            Node(
                id=step.step_id,
                activity=agents.run_step,
                input=_step_input(task, plan, step, max_for_each_items, per_call),
                dependencies=tuple(step.dependencies),
                timeout_seconds=budget,
                retry=retry,
                condition=skip_reason(step) if step.when is not None else None,
                run_after_skipped=step.if_dependency_skipped == "run",
            )
        )
    graph = Graph(nodes)
    result = await run_graph(
        graph, runtime, max_parallel=max_parallel, failure_mode="continue", key_prefix=key_prefix
    )
    return _execution_result(plan, result, key_prefix)


def _execution_result(plan: Plan, result: GraphResult, key_prefix: str) -> ExecutionResult:
    steps = [_step_result(plan.step(node_id), node) for node_id, node in result.nodes.items()]
    total = sum(
        node.output.duration_seconds
        for node in result.nodes.values()
        if isinstance(node.output, StepOutput)
    )
    return ExecutionResult(
        execution_id=f"{plan.plan_id}/{key_prefix.rstrip('/')}",
        plan_id=plan.plan_id,
        status=_status(result),
        steps=steps,
        metrics=ExecutionMetrics(
            total_duration=total,
            tools_invoked=sum(node.attempts for node in result.nodes.values()),
        ),
    )


def _status(result: GraphResult) -> ExecutionStatus:
    if all(
        node.status is NodeStatus.COMPLETED or node.by_condition for node in result.nodes.values()
    ):
        return ExecutionStatus.SUCCEEDED
    if result.status is GraphStatus.FAILED or not result.completion_order:
        return ExecutionStatus.FAILED
    return ExecutionStatus.PARTIAL


def _step_result(step: Step, node: NodeResult) -> StepResult:
    output = node.output if isinstance(node.output, StepOutput) else None
    if output is not None:
        outputs = output.result if isinstance(output.result, dict) else {"value": output.result}
        return StepResult(
            step_id=step.step_id,
            status=StepStatus.SUCCEEDED,
            start_time=output.started_at,
            end_time=output.finished_at,
            outputs=outputs,
            tool_calls=[
                ToolCall(
                    tool=output.tool,
                    arguments=output.arguments,
                    result=output.result,
                    duration_seconds=output.duration_seconds,
                )
            ],
        )
    if node.status is NodeStatus.FAILED:
        error = node.error or "failed"
        timed_out = error.startswith("TimeoutError")
        if node.retryable:
            error += f" (transient; retries exhausted after {node.attempts} attempts)"
        return StepResult(
            step_id=step.step_id,
            status=StepStatus.TIMED_OUT if timed_out else StepStatus.FAILED,
            errors=[error],
            tool_calls=[ToolCall(tool=step.action, arguments=step.inputs, error=error)],
        )
    return StepResult(
        step_id=step.step_id,
        status=StepStatus.SKIPPED,
        errors=[node.skip_reason] if node.skip_reason else [],
    )
