"""No pattern: the agents run as a DAG by their dependencies."""

from __future__ import annotations

from intelligent_office.agentkit.patterns.base import PatternOutcome
from intelligent_office.agentkit.runner import AgentOutput, AgentRunner
from intelligent_office.agentkit.workflow import Workflow
from intelligent_office.engine import Graph, GraphStatus, run_graph
from intelligent_office.runtime.base import Runtime

__all__ = ["run_dag"]


async def run_dag(workflow: Workflow, runner: AgentRunner, runtime: Runtime) -> PatternOutcome:
    """Run every agent once its dependencies completed; the sinks' answers are the output."""
    graph = Graph(runner.agent_node(agent, workflow.input) for agent in workflow.agents)
    result = await run_graph(
        graph,
        runtime,
        max_parallel=workflow.max_parallel_agents,
        failure_mode="continue" if workflow.allow_partial_completion else "fail_fast",
        key_prefix="dag/",
    )
    outcome = PatternOutcome()
    outcome.add({a.name: a.name for a in workflow.agents}, result)
    sinks = [n for n in graph.nodes if not graph.dependents[n]]
    texts = [out.text for n in sinks if isinstance(out := result.nodes[n].output, AgentOutput)]
    outcome.output = "\n\n".join(texts) if texts else None
    if result.status is GraphStatus.FAILED:
        outcome.failure = result.failure_reason
    outcome.partial = result.status is GraphStatus.PARTIAL
    return outcome
