"""Must show: a dead letter's cause becomes guidance that the next similar task uses and
completes with (offline brain, real tools, real SQLite store)."""

from __future__ import annotations

from pathlib import Path

from intelligent_office.learning.analysis import learn
from intelligent_office.learning.guidance_store import GuidanceRepository
from intelligent_office.office import TaskStatus
from tests.learning.conftest import OfficeUnderTest

FAILING = "Trace the call sequence from main() to helper() in proj/pkg"
SIMILAR = "Trace the call sequence from main() to process() in proj/pkg"


async def test_a_dead_letter_cause_becomes_guidance_the_next_similar_task_completes_with(
    office: OfficeUnderTest, src_workspace: Path
) -> None:
    failed, failed_id = await office.run(FAILING, src_workspace)
    assert failed.status is TaskStatus.DEAD_LETTERED
    assert office.events(failed_id, "guidance.used") == []

    report = learn(office.store, office.settings.learning)

    [cause] = report.causes
    assert cause.first.category == "review" and cause.first.shape == ("trace_calls",)
    assert "does not exist" in cause.key
    guidance = report.guidance[cause.key]
    assert guidance.adjustment == {"kind": "root_at_src"}
    assert "root the trace at src" in guidance.text

    done, task_id = await office.run(SIMILAR, src_workspace)

    assert done.status is TaskStatus.COMPLETED
    assert "-> pkg.core.process()" in done.answer
    plan = done.subtasks["s1"].iterations[0].plan
    assert plan is not None
    assert plan.steps[0].inputs["root"] == "proj/src/pkg"
    assert f"guidance:{guidance.id}" in plan.metadata.context_sources
    [used] = office.events(task_id, "guidance.used")
    assert [g["id"] for g in used["guidance"]] == [guidance.id]
    assert office.events(task_id, "prompt.version")[0]["versions"]["offline"] == "offline-v1"
    assert GuidanceRepository(office.store.engine).require(guidance.id).uses == 1


async def test_disabled_guidance_is_not_used_and_learning_again_keeps_one_record(
    office: OfficeUnderTest, src_workspace: Path
) -> None:
    await office.run(FAILING, src_workspace)
    first = learn(office.store)
    repository = GuidanceRepository(office.store.engine)
    [record] = repository.all()
    repository.set_status(record.id, "disabled")

    again, task_id = await office.run(SIMILAR, src_workspace)

    assert again.status is TaskStatus.DEAD_LETTERED
    assert office.events(task_id, "guidance.used") == []
    second = learn(office.store)
    assert [r.id for r in repository.all()] == [record.id]  # the same cause, refreshed
    assert second.created == [] and first.created == [record.id]
    assert repository.require(record.id).evidence["failures"] == 2
    assert repository.require(record.id).status == "disabled"  # a person's choice stays


async def test_guidance_is_not_handed_to_an_unrelated_request(
    office: OfficeUnderTest, src_workspace: Path
) -> None:
    await office.run(FAILING, src_workspace)
    learn(office.store)

    done, task_id = await office.run("Calculate 6 * 7", src_workspace)

    assert done.status is TaskStatus.COMPLETED and "42" in done.answer
    assert office.events(task_id, "guidance.used") == []
