"""Pipeline: stages in order, each behind an optional quality gate.

A gate that does not approve sends its feedback back to the stage, which runs again
(up to the stage's `max_rounds`); each stage gets the previous stage's output as context.
Every round is one engine graph (stage -> gate) under `pipeline/stage/<i>/round/<n>/`.
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
from intelligent_office.agentkit.workflow import PipelineSpec, PipelineStage, Workflow
from intelligent_office.runtime.base import Runtime

__all__ = ["run_pipeline"]


def _judge(gate: Agent, request: str) -> PromptBuilder:
    def prompt(outputs: Mapping[str, AgentOutput]) -> str:
        return render_prompt(gate, input=request, context=outputs["stage"].text)

    return prompt


async def run_pipeline(
    spec: PipelineSpec, workflow: Workflow, runner: AgentRunner, runtime: Runtime
) -> PatternOutcome:
    """Run the stages in order; the last stage's approved output is the answer."""
    outcome = PatternOutcome()
    previous = ""
    for index, stage in enumerate(spec.stages):
        text = await _run_stage(index, stage, previous, workflow, runner, runtime, outcome)
        if text is None:
            return outcome
        previous = text
    outcome.output = previous
    return outcome


async def _run_stage(
    index: int,
    stage: PipelineStage,
    previous: str,
    workflow: Workflow,
    runner: AgentRunner,
    runtime: Runtime,
    outcome: PatternOutcome,
) -> str | None:
    """The stage's output once its gate approves; None (and outcome.failure) otherwise."""
    agent = workflow.agent(stage.agent)
    feedback = ""
    text = ""
    for round_number in range(1, stage.max_rounds + 1):
        message = render_prompt(agent, input=workflow.input, context=previous, feedback=feedback)
        nodes = [runner.node("stage", agent, fixed(message))]
        names = {"stage": agent.name}
        if stage.gate is not None:
            gate = workflow.agent(stage.gate)
            nodes.append(runner.node("gate", gate, _judge(gate, workflow.input), ("stage",)))
            names["gate"] = gate.name
        result = await run_nodes(
            runtime,
            nodes,
            prefix=f"pipeline/stage/{index}/round/{round_number}/",
            max_parallel=workflow.max_parallel_agents,
        )
        outcome.add(names, result)
        if not result.succeeded:
            outcome.failure = f"stage {index + 1} ({agent.name}): {result.failure_reason}"
            return None
        text = output_of(result, "stage").text
        if stage.gate is None:
            return text
        verdict = Verdict.parse(output_of(result, "gate").text)
        if verdict.approved:
            outcome.notes.append(
                f"stage {index + 1} ({agent.name}): gate {stage.gate} approved "
                f"in round {round_number}"
            )
            return text
        feedback = verdict.feedback
        outcome.notes.append(
            f"stage {index + 1} ({agent.name}): gate {stage.gate} asked for a revision "
            f"in round {round_number}: {feedback}"
        )
    reason = (
        f"stage {index + 1} ({agent.name}): gate {stage.gate} did not approve in "
        f"{stage.max_rounds} rounds; last feedback: {feedback}"
    )
    if workflow.allow_partial_completion:
        outcome.partial = True
        outcome.notes.append(reason)
        return text
    outcome.failure = reason
    return None
