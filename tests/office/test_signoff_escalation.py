"""Plan sign-off and escalations on the durable local runtime.

A task asking for sign-off waits, before anything runs, with its plan's steps and risks;
the person approves it (with an edited step: the edit is what runs) or rejects it with a
reason the planner gets. A reviewer's ESCALATE waits for a person, who accepts the
result, asks for a revision (their feedback reaches the next plan) or fails it (a dead
letter with their reason). Scores and signals reach the audit log and the events.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from intelligent_office.front_door import Office
from intelligent_office.llm import PlanningResult, PlanRequest, ReviewRequest, ReviewResult
from intelligent_office.llm.scripted import ScriptedBrain
from intelligent_office.models import Review, ReviewDecision, ReviewScores, Step
from intelligent_office.office import OfficeOutput, TaskStatus
from intelligent_office.settings import load_settings
from intelligent_office.store import ApprovalRecord, Store
from intelligent_office.task_input import new_task
from tests.cli.test_cli import office
from tests.office.test_office_loop import scripted_plan
from tests.office.test_tool_approvals import approve_all

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def office_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """The store `office` commands in the test open too."""
    url = f"sqlite:///{tmp_path / 'office.db'}"
    monkeypatch.setenv("OFFICE_DATABASE_URL", url)
    monkeypatch.setenv("OFFICE_HOME", str(tmp_path / "home"))
    opened = Store.open(url)
    yield opened
    opened.close()


def saver(request: PlanRequest) -> PlanningResult:
    step = Step(
        step_id="save", action="write_file", inputs={"path": "out/a.md", "content": "planned"}
    )
    return scripted_plan(request, [step])


def escalating(request: ReviewRequest) -> ReviewResult:
    """ESCALATE the first iteration, approve the next."""
    scores = ReviewScores(completeness=1, accuracy=1, quality=1, safety=1)
    if request.iteration == 1:
        review = Review(
            decision=ReviewDecision.ESCALATE, scores=scores, feedback="is this the right file?"
        )
        return ReviewResult(review=review)
    return ReviewResult(review=Review(decision=ReviewDecision.APPROVE, scores=scores), answer="ok")


def service_with(store: Store, tmp_path: Path, brain: ScriptedBrain, **settings: object) -> Office:
    configured = load_settings(None, home=tmp_path / "home", **settings)
    return Office(configured, store, brain=brain)


async def pending(store: Store, task_id: str, kind: str) -> ApprovalRecord:
    for _ in range(800):
        found = [a for a in store.approvals.list(task_id=task_id) if a.kind == kind]
        if found:
            return found[0]
        await asyncio.sleep(0.025)
    raise AssertionError(f"no {kind} approval was requested")


async def test_a_signed_off_plan_runs_with_the_edited_step(
    office_db: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = office_db
    brain = ScriptedBrain(planner=saver, reviewer=approve_all)
    service = service_with(store, tmp_path, brain)
    task = new_task("Save a note", workspace=tmp_path, signoff=True)
    _, run = service.submit(service.worker(), task)
    running = asyncio.create_task(service.worker().run(run.run_id))

    approval = await pending(store, task.task_id, "plan")
    (step,) = approval.detail["steps"]
    assert step["tool"] == "write_file" and step["inputs"]["path"] == "out/a.md"
    assert 0 <= step["score"] < 60 and step["decision"] == "run" and "signals" in step
    assert not (tmp_path / "out").exists()  # nothing ran before the sign-off
    code, out, _ = office(["approval", approval.id], capsys, monkeypatch)
    assert code == 0 and "write_file" in out and "/100" in out
    edit = 'save={"path": "out/b.md", "content": "edited"}'
    code, out, err = office(["approve", approval.id, "--edit", edit], capsys, monkeypatch)
    assert code == 0, err
    finished = await asyncio.wait_for(running, timeout=30)

    assert OfficeOutput.model_validate(finished.result).status is TaskStatus.COMPLETED
    assert (tmp_path / "out" / "b.md").read_text() == "edited"
    assert not (tmp_path / "out" / "a.md").exists()
    assert store.approvals.require(approval.id).response == {
        "edits": {"save": {"path": "out/b.md", "content": "edited"}}
    }
    events = store.events.read(task.task_id)
    (edited,) = [e.payload for e in events if e.type == "plan.edited"]
    assert edited["steps"] == [
        {"step_id": "save", "inputs": {"path": "out/b.md", "content": "edited"}}
    ]
    risk = [e.payload for e in events if e.type == "plan.risk"]
    assert len(risk) == 2  # scored as planned, and again as edited
    entries = store.audit.recent(task_id=task.task_id)
    scored = [e for e in entries if e.action == "policy.allow"]
    assert scored and all("score" in e.detail and "signals" in e.detail for e in scored)


async def test_a_rejected_plan_sends_the_reason_to_the_planner(
    office_db: Store,
    tmp_path: Path,
) -> None:
    store = office_db
    brain = ScriptedBrain(planner=saver, reviewer=approve_all)
    service = service_with(store, tmp_path, brain)
    task = new_task("Save a note", workspace=tmp_path, signoff=True)
    _, run = service.submit(service.worker(), task)
    running = asyncio.create_task(service.worker().run(run.run_id))

    first = await pending(store, task.task_id, "plan")
    service.decide_approval(first.id, "denied", by="ann", comment="use notes/ instead")
    for _ in range(800):  # the second plan waits for its own sign-off
        second = [a for a in store.approvals.list(task_id=task.task_id) if a.id != first.id]
        if second:
            break
        await asyncio.sleep(0.025)
    service.decide_approval(second[0].id, "approved", by="ann")
    finished = await asyncio.wait_for(running, timeout=30)

    assert OfficeOutput.model_validate(finished.result).status is TaskStatus.COMPLETED
    assert any(
        "a person rejected the plan: use notes/ instead" in line
        for line in brain.plan_requests[1].feedback
    )


async def test_a_risky_plan_waits_for_signoff_by_its_score(
    office_db: Store,
    tmp_path: Path,
) -> None:
    store = office_db
    brain = ScriptedBrain(planner=saver, reviewer=approve_all)
    service = service_with(store, tmp_path, brain, signoff={"risk_threshold": 1})
    task = new_task("Save a note", workspace=tmp_path)  # the task did not ask
    _, run = service.submit(service.worker(), task)
    running = asyncio.create_task(service.worker().run(run.run_id))
    approval = await pending(store, task.task_id, "plan")
    assert approval.detail["max_score"] >= 1
    with pytest.raises(Exception, match="only an escalation"):
        service.decide_approval(approval.id, "revised", by="ann", comment="x")
    service.decide_approval(approval.id, "approved", by="ann")
    finished = await asyncio.wait_for(running, timeout=30)
    assert OfficeOutput.model_validate(finished.result).status is TaskStatus.COMPLETED


@pytest.mark.parametrize("answer", ["accept", "revise", "fail"])
async def test_an_escalation_is_answered_by_a_person(
    answer: str,
    office_db: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = office_db
    brain = ScriptedBrain(planner=saver, reviewer=escalating)
    service = service_with(store, tmp_path, brain)
    task = new_task("Save a note", workspace=tmp_path)
    _, run = service.submit(service.worker(), task)
    running = asyncio.create_task(service.worker().run(run.run_id))

    escalation = await pending(store, task.task_id, "escalation")
    assert escalation.detail["question"] == "is this the right file?"
    assert "out/a.md" in str(escalation.detail["outputs"])
    code, out, _ = office(["escalations", "list"], capsys, monkeypatch)
    assert code == 0 and escalation.id in out
    option = {"accept": [], "revise": ["--feedback", "name it b"], "fail": ["--reason", "wrong"]}
    code, out, err = office(
        ["escalations", answer, escalation.id, *option[answer]], capsys, monkeypatch
    )
    assert code == 0, err
    finished = await asyncio.wait_for(running, timeout=30)
    output = OfficeOutput.model_validate(finished.result)

    if answer == "accept":
        assert output.status is TaskStatus.COMPLETED and len(brain.plan_requests) == 1
        assert "out/a.md" in output.subtasks["s1"].answer
    elif answer == "revise":
        assert output.status is TaskStatus.COMPLETED and len(brain.plan_requests) == 2
        assert any(
            "a person asked for a revision: name it b" in line
            for line in brain.plan_requests[1].feedback
        )
        assert store.approvals.require(escalation.id).status == "revised"
    else:
        assert output.status is TaskStatus.DEAD_LETTERED
        assert "wrong" in (output.failure_reason or "")
        (letter,) = store.dead_letters.recent()
        assert letter.category == "review" and "wrong" in letter.reason
    assert not store.dead_letters.recent() or answer == "fail"
