"""The tool policy in the Office: a risky step waits for a human, across a worker restart;
`office approve` lets it run, `office deny` sends the planner back for a plan without it;
every decision is in the append-only audit log; a malformed policy fails at start."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy

from intelligent_office.errors import ConfigError
from intelligent_office.front_door import Office
from intelligent_office.llm import PlanningResult, PlanRequest, ReviewRequest, ReviewResult
from intelligent_office.llm.scripted import ScriptedBrain
from intelligent_office.models import Review, ReviewDecision, ReviewScores, RiskLevel, Step
from intelligent_office.office import OfficeOutput, TaskStatus
from intelligent_office.settings import load_settings
from intelligent_office.store import ApprovalRecord, Store
from intelligent_office.task_input import new_task
from intelligent_office.tools.policy import Verdict, default_policy, load_policy
from tests.cli.test_cli import office
from tests.office.test_office_loop import scripted_plan

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'office.db'}"
    monkeypatch.setenv("OFFICE_DATABASE_URL", url)
    monkeypatch.setenv("OFFICE_HOME", str(tmp_path / "home"))
    return url


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    opened = Store.open(database)
    yield opened
    opened.close()


def writer(request: PlanRequest) -> PlanningResult:
    """First a write to report.md (needs a human), then to out/report.md (allowed)."""
    path = "report.md" if request.iteration == 1 else "out/report.md"
    step = Step(step_id="save", action="write_file", inputs={"path": path, "content": "hello"})
    return scripted_plan(request, [step])


def approve_all(request: ReviewRequest) -> ReviewResult:
    scores = ReviewScores(completeness=1, accuracy=1, quality=1, safety=1)
    written = request.plan.steps[0].inputs["path"]
    return ReviewResult(
        review=Review(decision=ReviewDecision.APPROVE, scores=scores), answer=f"wrote {written}"
    )


def make_service(store: Store, tmp_path: Path, brain: ScriptedBrain) -> Office:
    settings = load_settings(None, home=tmp_path / "home", lease_seconds=2)
    return Office(settings, store, brain=brain)


async def pending_approval(store: Store, task_id: str) -> ApprovalRecord:
    for _ in range(400):
        pending = store.approvals.list(task_id=task_id)
        if pending:
            return pending[0]
        await asyncio.sleep(0.025)
    raise AssertionError("no approval was requested")


async def test_a_risky_step_waits_across_a_restart_and_runs_once_approved(
    store: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    brain = ScriptedBrain(planner=writer, reviewer=approve_all)
    service = make_service(store, tmp_path, brain)
    task = new_task("Write the report", workspace=tmp_path)
    _, run = service.submit(service.worker(), task)

    first = asyncio.create_task(service.worker().run(run.run_id))
    approval = await pending_approval(store, task.task_id)
    assert approval.kind == "tool" and "report.md" in approval.subject
    assert not (tmp_path / "report.md").exists()  # nothing ran before the decision
    first.cancel()  # the worker stops while the run waits, and lets go of it
    with contextlib.suppress(asyncio.CancelledError):
        await first
    assert not store.runs.require(run.run_id).status.finished

    second = asyncio.create_task(service.worker().run(run.run_id))  # a new worker resumes
    await asyncio.sleep(0.2)
    assert not second.done()  # still waiting: the approval survived the restart
    code, out, _ = office(["approve", approval.id, "--reason", "fine"], capsys, monkeypatch)
    assert code == 0 and "approved" in out
    finished = await asyncio.wait_for(second, timeout=30)

    output = OfficeOutput.model_validate(finished.result)
    assert output.status is TaskStatus.COMPLETED and output.answer == "wrote report.md"
    assert (tmp_path / "report.md").read_text() == "hello"
    assert len(brain.plan_requests) == 1  # the same plan ran: no re-planning
    actions = [entry.action for entry in reversed(store.audit.recent(task_id=task.task_id))]
    assert actions == ["policy.require_approval", "approval.approved"]
    entry = store.audit.recent(task_id=task.task_id)[0]
    assert entry.reason == "fine" and entry.actor  # who, and why
    types = [event.type for event in store.events.read(task.task_id)]
    assert types.index("approval.requested") < types.index("approval.decided")


async def test_a_denied_step_leads_to_a_new_plan_without_it(
    store: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    brain = ScriptedBrain(planner=writer, reviewer=approve_all)
    service = make_service(store, tmp_path, brain)
    task = new_task("Write the report", workspace=tmp_path)
    _, run = service.submit(service.worker(), task)
    running = asyncio.create_task(service.worker().run(run.run_id))

    approval = await pending_approval(store, task.task_id)
    code, _, _ = office(["deny", approval.id, "--reason", "not there"], capsys, monkeypatch)
    assert code == 0
    finished = await asyncio.wait_for(running, timeout=30)

    output = OfficeOutput.model_validate(finished.result)
    assert output.status is TaskStatus.COMPLETED and output.answer == "wrote out/report.md"
    assert not (tmp_path / "report.md").exists()
    assert (tmp_path / "out" / "report.md").read_text() == "hello"
    feedback = brain.plan_requests[1].feedback
    assert any(
        "denied by a human" in line and "plan without that step" in line for line in feedback
    )
    assert [e.type for e in store.events.read(task.task_id)].count("plan.refused") == 1


async def test_audit_log_refuses_updates_and_deletes(store: Store) -> None:
    store.audit.add(actor="policy", action="policy.allow", subject="x", reason="y")
    for statement in ("UPDATE audit_log SET actor = 'me'", "DELETE FROM audit_log"):
        with pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"):
            with store.engine.begin() as connection:
                connection.execute(sqlalchemy.text(statement))
    assert [entry.actor for entry in store.audit.recent()] == ["policy"]


MEDIUM = RiskLevel.MEDIUM


def test_the_shipped_policy_decides_by_rule_and_by_risk() -> None:
    policy = default_policy()
    inside = policy.decide("write_file", MEDIUM, {"path": "out/a.md", "content": ""})
    outside = policy.decide("write_file", MEDIUM, {"path": "a.md", "content": ""})
    unknown = policy.decide("write_file", MEDIUM, {"path": "${s.path}", "content": ""})
    assert (inside.verdict, outside.verdict) == (Verdict.ALLOW, Verdict.REQUIRE_APPROVAL)
    assert unknown.verdict is Verdict.REQUIRE_APPROVAL  # a path known only at run time
    assert policy.decide("python_exec", RiskLevel.HIGH, {}).verdict is Verdict.ALLOW
    assert policy.decide("read_file", RiskLevel.LOW, {}).rule == "defaults.low"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: [unclosed", "not valid YAML"),
        ("rules:\n  - {name: r, decision: maybe}", "rules.0.decision"),
        ("rules:\n  - {name: r, decision: deny, arguments: {path: {}}}", "exactly one of"),
        ("- a list", "expected a mapping"),
    ],
)
def test_a_malformed_policy_fails_at_start_with_one_line(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_policy(path)
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_office_run_with_a_malformed_policy_exits_with_one_line(
    database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("rules: [unclosed")
    monkeypatch.setenv("OFFICE_POLICY_FILE", str(path))
    workspace = tmp_path / "project"  # beside the state directory, not holding it
    workspace.mkdir()
    code, _, err = office(
        ["run", "Calculate 1+1", "--workspace", str(workspace)], capsys, monkeypatch
    )
    assert code == 2
    assert err.strip().splitlines() == [
        f"office: policy file {path} line 1: not valid YAML:"
        " expected ',' or ']', but got '<stream end>'"
    ]
