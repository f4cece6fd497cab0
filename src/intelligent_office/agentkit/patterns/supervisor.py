"""Supervisor: decompose, assign each part to the specialist with that capability, synthesize.

The supervisor replies one line per subtask, `capability: what to do`; each line goes to
the first specialist whose capabilities, tools or archetype include the capability. The
specialists run in parallel and the supervisor synthesizes, as one engine graph
(`supervisor/work/`), after the decomposition (`supervisor/decompose/`).
"""

from __future__ import annotations

from collections.abc import Mapping

from intelligent_office.agentkit.agent import Agent, render_prompt
from intelligent_office.agentkit.patterns.base import PatternOutcome, fixed, output_of, run_nodes
from intelligent_office.agentkit.runner import AgentOutput, AgentRunner, PromptBuilder
from intelligent_office.agentkit.workflow import SupervisorSpec, Workflow
from intelligent_office.runtime.base import Runtime

__all__ = ["assign", "run_supervisor"]


def assign(plan: str, specialists: list[Agent]) -> list[tuple[Agent, str]]:
    """Each `capability: subtask` line of `plan` with the specialist that has the capability.

    Raises:
        ValueError: a line names a capability no specialist has, or no line is usable.
    """
    assignments: list[tuple[Agent, str]] = []
    for raw in plan.splitlines():
        line = raw.strip().lstrip("-*0123456789. ").strip()
        capability, sep, subtask = line.partition(":")
        if not sep or not subtask.strip():
            continue
        wanted = capability.strip().strip("`").lower()
        match = next((s for s in specialists if wanted in s.skills), None)
        if match is None:
            known = ", ".join(sorted({k for s in specialists for k in s.skills}))
            raise ValueError(f"no specialist has capability {wanted!r} (available: {known})")
        assignments.append((match, subtask.strip()))
    if not assignments:
        raise ValueError(f"the supervisor's plan has no `capability: subtask` line: {plan[:200]!r}")
    return assignments


def _synthesis(supervisor: Agent, request: str, work: list[str]) -> PromptBuilder:
    def prompt(outputs: Mapping[str, AgentOutput]) -> str:
        results = "\n\n".join(f"## {outputs[n].agent}\n{outputs[n].text}" for n in work)
        return "Synthesize one answer to the request from the specialists' results.\n" + (
            render_prompt(supervisor, input=request, context=results)
        )

    return prompt


async def run_supervisor(
    spec: SupervisorSpec, workflow: Workflow, runner: AgentRunner, runtime: Runtime
) -> PatternOutcome:
    """Decompose, run the assigned specialists in parallel, synthesize."""
    outcome = PatternOutcome()
    supervisor = workflow.agent(spec.supervisor)
    specialists = [workflow.agent(name) for name in spec.specialists]
    menu = "\n".join(f"- {s.name}: {', '.join(sorted(s.skills))}" for s in specialists)
    ask = (
        f"Decompose the request into subtasks, one line each as `capability: subtask`.\n"
        f"Request: {workflow.input}\nCapabilities:\n{menu}"
    )
    first = await run_nodes(
        runtime,
        [runner.node("decompose", supervisor, fixed(ask))],
        prefix="supervisor/decompose/",
        max_parallel=1,
    )
    outcome.add({"decompose": supervisor.name}, first)
    if not first.succeeded:
        outcome.failure = f"decomposition: {first.failure_reason}"
        return outcome
    try:
        assignments = assign(output_of(first, "decompose").text, specialists)
    except ValueError as error:
        outcome.failure = f"assignment: {error}"
        return outcome
    names: dict[str, str] = {}
    nodes = []
    for number, (agent, subtask) in enumerate(assignments, start=1):
        node_id = f"work-{number}-{agent.name}"
        names[node_id] = agent.name
        nodes.append(runner.node(node_id, agent, fixed(render_prompt(agent, input=subtask))))
        outcome.notes.append(f"assigned to {agent.name}: {subtask}")
    work = list(names)
    nodes.append(
        runner.node(
            "synthesize", supervisor, _synthesis(supervisor, workflow.input, work), tuple(work)
        )
    )
    names["synthesize"] = supervisor.name
    result = await run_nodes(
        runtime, nodes, prefix="supervisor/work/", max_parallel=workflow.max_parallel_agents
    )
    outcome.add(names, result)
    if not result.succeeded:
        outcome.failure = result.failure_reason
        return outcome
    outcome.output = output_of(result, "synthesize").text
    return outcome
