"""When the offline Office reuses a remembered plan, and when it must not: on SQLite and
PostgreSQL, with the real MiniLM."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from intelligent_office.front_door import Office
from intelligent_office.memory.embeddings import LocalMiniLM
from intelligent_office.office import OfficeOutput, TaskStatus
from intelligent_office.settings import load_settings
from intelligent_office.store import Store
from intelligent_office.task_input import new_task

CALCULATION = "Calculate (2 + 3) * 4"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "notes.txt").write_text("buy milk\n")
    return tmp_path / "ws"


def service_for(store: Store, minilm: LocalMiniLM, tmp_path: Path, **memory: Any) -> Office:
    settings = load_settings(None, home=tmp_path / "home", memory=memory)
    return Office.from_settings(settings, store, memory_embedder=minilm)


async def run(
    service: Office, description: str, workspace: Path, **task: Any
) -> tuple[str, OfficeOutput]:
    worker = service.worker()
    record, submitted = service.submit(worker, new_task(description, workspace=workspace, **task))
    finished = await worker.run(submitted.run_id)
    assert finished.result is not None, finished.error
    return record.task_id, OfficeOutput.model_validate(finished.result)


def model_of(output: OfficeOutput) -> str:
    plan = output.subtasks["s1"].iterations[0].plan
    assert plan is not None
    return plan.metadata.model_used


def reused(store: Store, task_id: str) -> bool:
    return any(e.type == "plan.reused" for e in store.events.read(task_id))


async def test_an_identical_request_reuses_the_plan_and_reuse_can_be_switched_off(
    store: Store, minilm: LocalMiniLM, tmp_path: Path, workspace: Path
) -> None:
    service = service_for(store, minilm, tmp_path)
    first_id, first = await run(service, CALCULATION, workspace)
    assert model_of(first) == "offline" and not reused(store, first_id)

    second_id, second = await run(service, CALCULATION, workspace)
    assert second.status is TaskStatus.COMPLETED and second.answer == first.answer
    assert model_of(second) == "memory" and reused(store, second_id)

    switched_off = service_for(store, minilm, tmp_path, reuse=False)
    third_id, third = await run(switched_off, CALCULATION, workspace)
    assert model_of(third) == "offline" and not reused(store, third_id)


async def test_a_near_identical_request_with_other_arguments_is_planned_afresh(
    store: Store, minilm: LocalMiniLM, tmp_path: Path, workspace: Path
) -> None:
    # Even with a loose similarity threshold, a plan whose arguments came from the old
    # request's words is not run for a request without them.
    service = service_for(store, minilm, tmp_path, reuse_threshold=0.5)
    await run(service, CALCULATION, workspace)

    task_id, output = await run(service, "Calculate (2 + 3) * 5", workspace)

    assert model_of(output) == "offline" and not reused(store, task_id)
    assert output.answer.endswith("25")
    assert service.memory is not None
    assert "do not all appear" in (service.memory.plans.last_blocker or "")


async def test_a_poor_rating_stops_reuse_from_the_cli_or_the_api(
    store: Store, minilm: LocalMiniLM, tmp_path: Path, workspace: Path
) -> None:
    service = service_for(store, minilm, tmp_path)
    assert service.memory is not None
    rated_id, _ = await run(service, CALCULATION, workspace)
    service.memory.add_feedback(rated_id, user_id="alice", rating=1, comment="wrong number")

    task_id, output = await run(service, CALCULATION, workspace)
    assert model_of(output) == "offline" and not reused(store, task_id)
    assert "reuse score 0.50" in (service.memory.plans.last_blocker or "")

    # The API writes only the feedback table; memory picks the rows up before recalling.
    other = service_for(store, minilm, tmp_path)
    assert other.memory is not None
    read_id, _ = await run(other, "Read the file notes.txt", workspace)
    store.feedback.add(task_id=read_id, user_id="alice", rating=2, comment="slow")
    again_id, again = await run(other, "Read the file notes.txt", workspace)
    assert model_of(again) == "offline" and not reused(store, again_id)
    owner = store.tasks.get(read_id)
    assert owner is not None
    feedback = other.memory.search.items.recent(tenant=owner.user_id, kinds=("feedback",))
    assert [item.data["comment"] for item in feedback][:1] == ["slow"]


async def test_a_plan_whose_tool_is_not_allowed_now_is_not_reused(
    store: Store, minilm: LocalMiniLM, tmp_path: Path, workspace: Path
) -> None:
    service = service_for(store, minilm, tmp_path)
    await run(service, "Read the file notes.txt", workspace)

    task_id, output = await run(
        service, "Read the file notes.txt", workspace, allowed_tools=["list_files"]
    )

    assert not reused(store, task_id)
    assert service.memory is not None
    assert "not allowed" in (service.memory.plans.last_blocker or "")
    assert output.status is not TaskStatus.COMPLETED
