"""Each pattern with a scripted model: a gate that fails then passes, assignment by
capability, a vote, and a reflective loop that converges in round two."""

from __future__ import annotations

from intelligent_office import Office
from intelligent_office.agentkit import (
    AgentFactory,
    AgentState,
    ParallelSpec,
    PipelineSpec,
    PipelineStage,
    ReflectiveSpec,
    RunStatus,
    SupervisorSpec,
    Workflow,
)
from tests.agentkit.scripted import ScriptedModel

WRITER = "You write reports."
GATE = "You check reports."


async def test_pipeline_gate_fails_then_passes_and_the_stage_reruns_with_its_feedback() -> None:
    gate_replies = iter(["REVISE: mention the deadline", "APPROVE"])

    def script(system: str, user: str) -> str:
        if system == GATE:
            return next(gate_replies)
        return "Report. Deadline: Friday." if "mention the deadline" in user else "Report."

    model = ScriptedModel(script)
    workflow = Workflow(
        name="report",
        input="Write the status report",
        agents=[
            AgentFactory.create("writer", system_prompt=WRITER),
            AgentFactory.create("reviewer", name="gate", system_prompt=GATE),
        ],
        pattern=PipelineSpec(stages=[PipelineStage(agent="writer", gate="gate")]),
    )

    run = await Office(model=model.model()).run_workflow(workflow)

    assert run.status is RunStatus.COMPLETED, run.failure
    assert run.output == "Report. Deadline: Friday."
    first, second = model.asked(WRITER)
    assert "mention the deadline" not in first
    assert "mention the deadline" in second
    assert model.asked(GATE)[0].endswith("Report.")
    assert run.agents["writer"].calls == 2 and run.agents["gate"].calls == 2
    assert run.agents["writer"].state is AgentState.COMPLETED
    assert any("asked for a revision in round 1" in note for note in run.notes)


async def test_pipeline_gate_that_never_approves_fails_the_run_naming_the_gate() -> None:
    def script(system: str, user: str) -> str:
        return "REVISE: still wrong" if system == GATE else "Report."

    workflow = Workflow(
        name="report",
        agents=[
            AgentFactory.create("writer", system_prompt=WRITER),
            AgentFactory.create("reviewer", name="gate", system_prompt=GATE),
        ],
        pattern=PipelineSpec(stages=[PipelineStage(agent="writer", gate="gate", max_rounds=2)]),
    )

    run = await Office(model=ScriptedModel(script).model()).run_workflow(workflow)

    assert run.status is RunStatus.FAILED
    assert run.failure == (
        "stage 1 (writer): gate gate did not approve in 2 rounds; last feedback: still wrong"
    )


async def test_supervisor_assigns_each_subtask_to_the_specialist_with_that_capability() -> None:
    def script(system: str, user: str) -> str:
        if system == "boss":
            if user.startswith("Decompose"):
                return "prose: write the intro\n- numbers: total the Q3 sales"
            return "FINAL: " + " | ".join(line for line in user.splitlines() if "done" in line)
        return f"{system} done: {user}"

    model = ScriptedModel(script)
    workflow = Workflow(
        name="quarterly",
        input="Quarterly report",
        agents=[
            AgentFactory.create("supervisor", name="boss", system_prompt="boss"),
            AgentFactory.create(
                "analyst", name="quant", system_prompt="quant", capabilities=("numbers",)
            ),
            AgentFactory.create(
                "writer", name="scribe", system_prompt="scribe", capabilities=("prose",)
            ),
        ],
        pattern=SupervisorSpec(supervisor="boss", specialists=["quant", "scribe"]),
    )

    run = await Office(model=model.model()).run_workflow(workflow)

    assert run.status is RunStatus.COMPLETED, run.failure
    assert model.asked("quant") == ["total the Q3 sales"]
    assert model.asked("scribe") == ["write the intro"]
    assert run.output == "FINAL: scribe done: write the intro | quant done: total the Q3 sales"
    decompose = model.asked("boss")[0]
    assert "- quant: analyst, calculate, numbers, python_exec, read_file" in decompose


async def test_supervisor_with_an_unknown_capability_fails_naming_it() -> None:
    def script(system: str, user: str) -> str:
        return "legal: check the contract" if system == "boss" else "done"

    workflow = Workflow(
        name="q",
        agents=[
            AgentFactory.create("supervisor", name="boss", system_prompt="boss"),
            AgentFactory.create("writer", name="scribe", capabilities=("prose",)),
        ],
        pattern=SupervisorSpec(supervisor="boss", specialists=["scribe"]),
    )

    run = await Office(model=ScriptedModel(script).model()).run_workflow(workflow)

    assert run.status is RunStatus.FAILED
    assert run.failure is not None and "no specialist has capability 'legal'" in run.failure


async def test_parallel_vote_picks_the_majority_answer() -> None:
    answers = {"w1": "Paris", "w2": "paris.", "w3": "Lyon"}
    model = ScriptedModel(lambda system, user: answers[system])
    workflow = Workflow(
        name="capital",
        input="Capital of France?",
        agents=[AgentFactory.create("researcher", name=n, system_prompt=n) for n in answers],
        pattern=ParallelSpec(workers=list(answers), fusion="vote"),
    )

    run = await Office(model=model.model()).run_workflow(workflow)

    assert run.status is RunStatus.COMPLETED
    assert run.output == "Paris"
    assert run.notes == ["vote: {'paris': 2, 'lyon': 1}"]
    assert len(model.calls) == 3


async def test_parallel_best_by_critic_takes_the_candidate_the_critic_names() -> None:
    answers = {"w1": "short", "w2": "thorough answer", "judge": "2 is better"}
    model = ScriptedModel(lambda system, user: answers[system])
    workflow = Workflow(
        name="best",
        agents=[
            AgentFactory.create("writer", name="w1", system_prompt="w1"),
            AgentFactory.create("writer", name="w2", system_prompt="w2"),
            AgentFactory.create("critic", name="judge", system_prompt="judge"),
        ],
        pattern=ParallelSpec(workers=["w1", "w2"], fusion="best_by_critic", critic="judge"),
    )

    run = await Office(model=model.model()).run_workflow(workflow)

    assert run.output == "thorough answer"
    assert "Candidate 1:\nshort" in model.asked("judge")[0]


async def test_reflective_loop_converges_in_two_rounds() -> None:
    verdicts = iter(["REVISE: add an example", "APPROVE: good"])

    def script(system: str, user: str) -> str:
        if system == "critic":
            return next(verdicts)
        return "Answer with an example." if "add an example" in user else "Answer."

    model = ScriptedModel(script)
    workflow = Workflow(
        name="explain",
        input="Explain recursion",
        agents=[
            AgentFactory.create("writer", system_prompt="writer"),
            AgentFactory.create("critic", system_prompt="critic"),
        ],
        pattern=ReflectiveSpec(agent="writer", critic="critic", max_rounds=4),
    )

    office = Office(model=model.model())
    run = await office.run_workflow(workflow)

    assert run.status is RunStatus.COMPLETED
    assert run.output == "Answer with an example."
    assert run.notes[-1] == "converged in round 2"
    assert len(model.asked("writer")) == 2 and len(model.asked("critic")) == 2
    assert "Answer with an example." in model.asked("critic")[1]
    assert office.workflow_status(run.id) is run
    status = office.system_status()
    assert status.workflows[RunStatus.COMPLETED] == 1 and status.calls == 4
