"""The durable workflow that runs a YAML workflow's DAG through the engine.

Deterministic workflow code: it builds the graph from the spec and hands it to the
scheduler; every node runs as an activity.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field, JsonValue

from intelligent_office.engine.graph import Graph, Node
from intelligent_office.engine.scheduler import run_graph
from intelligent_office.limits import MAX_CONCURRENCY
from intelligent_office.runtime.activity import Activity, JsonResult
from intelligent_office.runtime.base import Runtime
from intelligent_office.runtime.workflow import workflow_def
from intelligent_office.workflows import nodes
from intelligent_office.workflows.spec import NodeSpec, WorkflowSpec

__all__ = ["GraphRunInput", "GraphRunOutput", "NodeOutcome", "build_graph", "run_spec"]

WORKFLOW_NAME = "office.graph"


class GraphRunInput(BaseModel):
    """A workflow spec and how wide to run it."""

    spec: WorkflowSpec
    max_parallel: int = Field(default=16, ge=1, le=MAX_CONCURRENCY)


class NodeOutcome(BaseModel):
    """How one node ended."""

    status: str
    attempts: int = 0
    output: JsonValue = None
    error: str | None = None
    skip_reason: str | None = None


class GraphRunOutput(BaseModel):
    """How the whole graph ended."""

    status: str
    nodes: dict[str, NodeOutcome]
    completion_order: list[str]


def _activity_and_input(spec: NodeSpec) -> tuple[Activity[Any, Any], Any]:
    if spec.kind == "python":
        callable_path = spec.callable or ""
        params = spec.params

        def call(outputs: Mapping[str, BaseModel]) -> nodes.PythonCall:
            upstream = {
                node_id: output.value if isinstance(output, JsonResult) else None
                for node_id, output in outputs.items()
            }
            return nodes.PythonCall(callable=callable_path, params=params, upstream=upstream)

        return nodes.python, call
    if spec.kind == "sleep":
        return nodes.sleep, nodes.SleepInput.model_validate(spec.params)
    if spec.kind == "echo":
        return nodes.echo, nodes.EchoInput.model_validate(spec.params)
    return nodes.fail, nodes.FailInput.model_validate(spec.params)


def build_graph(spec: WorkflowSpec) -> Graph:
    """The engine graph of a spec; raises GraphError for cycles and unknown dependencies."""
    built = []
    for node in spec.nodes:
        target, value = _activity_and_input(node)
        built.append(
            Node(
                id=node.id,
                activity=target,
                input=value,
                dependencies=tuple(node.dependencies),
                priority=node.priority,
                timeout_seconds=node.timeout,
                retry=node.retry,
                estimated_duration_seconds=node.estimated_duration,
            )
        )
    return Graph(built)


@workflow_def(WORKFLOW_NAME)
async def run_spec(runtime: Runtime, value: GraphRunInput) -> GraphRunOutput:
    """Run every node of the spec's DAG and report how each ended."""
    graph = build_graph(value.spec)
    result = await run_graph(
        graph,
        runtime,
        max_parallel=value.spec.max_parallel or value.max_parallel,
        failure_mode=value.spec.failure_mode,
    )
    return GraphRunOutput(
        status=str(result.status),
        completion_order=list(result.completion_order),
        nodes={
            node_id: NodeOutcome(
                status=str(node.status),
                attempts=node.attempts,
                output=node.output.value if isinstance(node.output, JsonResult) else None,
                error=node.error,
                skip_reason=node.skip_reason,
            )
            for node_id, node in result.nodes.items()
        },
    )
