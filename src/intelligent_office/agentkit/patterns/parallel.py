"""Parallel: workers answer the same input at once (bounded), then their answers are fused.

Fusion: `concat` (every answer under its worker's name), `vote` (the most common answer,
compared without case, spaces or final punctuation; ties go to the earlier worker) or
`best_by_critic` (a critic picks the best numbered candidate).
"""

from __future__ import annotations

import re
from collections import Counter

from intelligent_office.agentkit.agent import render_prompt
from intelligent_office.agentkit.patterns.base import PatternOutcome, fixed, output_of, run_nodes
from intelligent_office.agentkit.runner import AgentOutput, AgentRunner
from intelligent_office.agentkit.workflow import ParallelSpec, Workflow
from intelligent_office.runtime.base import Runtime

__all__ = ["run_parallel", "vote"]


def _normal(text: str) -> str:
    return " ".join(text.lower().split()).rstrip(".!? ")


def vote(answers: list[AgentOutput]) -> tuple[AgentOutput, dict[str, int]]:
    """The winning answer and the count of each distinct answer."""
    counts = Counter(_normal(a.text) for a in answers)
    best = max(counts.values())
    winner = next(a for a in answers if counts[_normal(a.text)] == best)
    return winner, dict(counts)


async def run_parallel(
    spec: ParallelSpec, workflow: Workflow, runner: AgentRunner, runtime: Runtime
) -> PatternOutcome:
    """Fan out to the workers, then fuse what came back."""
    outcome = PatternOutcome()
    names = {f"worker-{name}": name for name in spec.workers}
    nodes = [
        runner.node(node_id, agent, fixed(render_prompt(agent, input=workflow.input)))
        for node_id, name in names.items()
        for agent in [workflow.agent(name)]
    ]
    result = await run_nodes(
        runtime,
        nodes,
        prefix="parallel/workers/",
        max_parallel=min(spec.max_parallel, workflow.max_parallel_agents),
        failure_mode="continue",
    )
    outcome.add(names, result)
    answers = [out for out in result.outputs.values() if isinstance(out, AgentOutput)]
    if not answers or (result.failed_nodes and not workflow.allow_partial_completion):
        first = result.nodes[result.failed_nodes[0]] if result.failed_nodes else None
        why = f": {first.error}" if first is not None and first.error else ""
        outcome.failure = f"workers failed: {', '.join(result.failed_nodes)}{why}"
        return outcome
    outcome.partial = bool(result.failed_nodes)
    if spec.fusion == "concat":
        outcome.output = "\n\n".join(f"## {a.agent}\n{a.text}" for a in answers)
    elif spec.fusion == "vote":
        winner, counts = vote(answers)
        outcome.output = winner.text
        outcome.notes.append(f"vote: {counts}")
    else:
        await _best_by_critic(spec, workflow, runner, runtime, answers, outcome)
    return outcome


async def _best_by_critic(
    spec: ParallelSpec,
    workflow: Workflow,
    runner: AgentRunner,
    runtime: Runtime,
    answers: list[AgentOutput],
    outcome: PatternOutcome,
) -> None:
    assert spec.critic is not None
    critic = workflow.agent(spec.critic)
    candidates = "\n\n".join(f"Candidate {i}:\n{a.text}" for i, a in enumerate(answers, 1))
    ask = (
        f"Pick the best candidate answer to the request. Reply with its number first.\n"
        f"Request: {workflow.input}\n\n{candidates}"
    )
    result = await run_nodes(
        runtime,
        [runner.node("critic", critic, fixed(ask))],
        prefix="parallel/critic/",
        max_parallel=1,
    )
    outcome.add({"critic": critic.name}, result)
    if not result.succeeded:
        outcome.failure = f"critic: {result.failure_reason}"
        return
    found = re.search(r"\d+", output_of(result, "critic").text)
    choice = int(found.group()) if found else 0
    if not 1 <= choice <= len(answers):
        outcome.failure = f"critic {critic.name} named no candidate 1..{len(answers)}"
        return
    outcome.output = answers[choice - 1].text
    outcome.notes.append(f"critic chose candidate {choice} ({answers[choice - 1].agent})")
