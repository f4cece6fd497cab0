"""Reflective: the agent answers, the critic judges, the agent improves, until APPROVE.

Each round is one engine graph (answer -> critique) under `reflective/round/<n>/`.
"""

from __future__ import annotations

from collections.abc import Mapping

from intelligent_office.agentkit.agent import Agent, render_prompt
from intelligent_office.agentkit.patterns.base import (
    PatternOutcome,
    Verdict,
    fixed,
    output_of,
    run_nodes,
)
from intelligent_office.agentkit.runner import AgentOutput, AgentRunner, PromptBuilder
from intelligent_office.agentkit.workflow import ReflectiveSpec, Workflow
from intelligent_office.runtime.base import Runtime

__all__ = ["run_reflective"]


def _critique(critic: Agent, request: str) -> PromptBuilder:
    def prompt(outputs: Mapping[str, AgentOutput]) -> str:
        return render_prompt(critic, input=request, context=outputs["answer"].text)

    return prompt


async def run_reflective(
    spec: ReflectiveSpec, workflow: Workflow, runner: AgentRunner, runtime: Runtime
) -> PatternOutcome:
    """Rounds of answer and critique until the critic approves or `max_rounds` is reached."""
    outcome = PatternOutcome()
    agent, critic = workflow.agent(spec.agent), workflow.agent(spec.critic)
    feedback, previous = "", ""
    for round_number in range(1, spec.max_rounds + 1):
        message = render_prompt(agent, input=workflow.input, context=previous, feedback=feedback)
        result = await run_nodes(
            runtime,
            [
                runner.node("answer", agent, fixed(message)),
                runner.node("critique", critic, _critique(critic, workflow.input), ("answer",)),
            ],
            prefix=f"reflective/round/{round_number}/",
            max_parallel=1,
        )
        outcome.add({"answer": agent.name, "critique": critic.name}, result)
        if not result.succeeded:
            outcome.failure = f"round {round_number}: {result.failure_reason}"
            return outcome
        previous = output_of(result, "answer").text
        verdict = Verdict.parse(output_of(result, "critique").text)
        if verdict.approved:
            outcome.output = previous
            outcome.notes.append(f"converged in round {round_number}")
            return outcome
        feedback = verdict.feedback
        outcome.notes.append(f"round {round_number}: critic asked: {feedback}")
    outcome.output = previous
    reason = f"critic {critic.name} did not approve in {spec.max_rounds} rounds"
    if workflow.allow_partial_completion:
        outcome.partial = True
        outcome.notes.append(reason)
    else:
        outcome.failure = reason
    return outcome
