"""The risk score from its signals: what runs alone, what asks, what is refused, and how
history and the policy move it."""

from __future__ import annotations

from pathlib import Path

from intelligent_office.activities.records import StoreRecords
from intelligent_office.risk import RiskModel, RiskWeights, ToolHistory, step_signals
from intelligent_office.risk.model import RiskDecision
from intelligent_office.store import Store
from intelligent_office.tools.builtin import builtin_tools
from intelligent_office.tools.policy import default_policy


def decide(
    tool: str, arguments: dict[str, object], history: ToolHistory | None = None
) -> tuple[int, RiskDecision, dict[str, float]]:
    """Score and decide one call the way the authorize activity does."""
    spec = builtin_tools().get(tool).spec
    policy = default_policy().decide(tool, spec.risk_level, arguments)
    signals = step_signals(
        tool=tool,
        arguments=arguments,  # type: ignore[arg-type]
        declared_risk=spec.risk_level.value,
        policy_risk=policy.risk.value,
        policy_verdict=policy.verdict.value,
        confidence=0.9,
        history=history or ToolHistory(),
        path_parameters=list(spec.path_parameters),
    )
    model = RiskModel()
    score = model.score(signals).score
    return (
        score,
        model.decide(score, policy_verdict=policy.verdict.value, policy_risk=policy.risk.value),
        signals,
    )


def test_everyday_steps_run_alone() -> None:
    for tool, arguments in [
        ("read_file", {"path": "notes/todos.txt"}),
        ("write_file", {"path": "out/report.md", "content": "hi"}),
        ("python_exec", {"code": "print(2 + 2)"}),
        ("calculate", {"expression": "2 + 2"}),
    ]:
        score, decision, _ = decide(tool, arguments)
        assert decision is RiskDecision.RUN and score < 30, (tool, score)


def test_a_delete_asks_and_a_delete_over_the_network_is_refused() -> None:
    score, decision, signals = decide("python_exec", {"code": "import os; os.remove('a.txt')"})
    assert signals["deletes"] == 1 and decision is RiskDecision.ASK and 60 <= score < 90
    score, decision, signals = decide(
        "python_exec",
        {"code": "import shutil, urllib.request; urllib.request.urlopen('http://x.example');"
         " shutil.rmtree('data')"},
    )  # fmt: skip
    assert signals["network"] == 1 and decision is RiskDecision.REFUSE and score >= 90


def test_the_policy_asks_and_history_of_denials_raises_the_score() -> None:
    fresh, decision, signals = decide("write_file", {"path": "notes.md", "content": "x"})
    assert decision is RiskDecision.ASK and signals["outside_out"] == 1
    denied, decision, signals = decide(
        "write_file", {"path": "notes.md", "content": "x"}, ToolHistory(asked=10, denied=10)
    )
    assert signals["denial_rate"] > 0.8 and denied > fresh
    assert decision is RiskDecision.REFUSE  # a tenant that always says no is not asked again


def test_a_high_risk_call_always_asks_however_low_its_score() -> None:
    lenient = RiskModel(weights=RiskWeights(bias=-30.0))
    assert lenient.decide(0, policy_verdict="allow", policy_risk="high") is RiskDecision.ASK
    assert lenient.decide(0, policy_verdict="allow", policy_risk="low") is RiskDecision.RUN
    assert lenient.decide(0, policy_verdict="deny", policy_risk="low") is RiskDecision.REFUSE


def test_history_comes_from_the_tenants_audit_log(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'o.db'}")
    try:
        for user in ("ann", "bob"):
            store.tasks.create(task_id=f"t-{user}", user_id=user, description="d", body={})
        for action in ("policy.allow", "policy.allow", "tool.failed", "approval.denied"):
            store.audit.add(
                actor="x", action=action, subject="s", reason="r", task_id="t-ann",
                detail={"tool": "write_file"},
            )  # fmt: skip
        store.audit.add(
            actor="x", action="approval.denied", subject="s", reason="r", task_id="t-bob",
            detail={"tool": "write_file"},
        )  # fmt: skip
        records = StoreRecords(store)
        assert records.tool_history("write_file", "ann") == {
            "calls": 2, "failures": 1, "asked": 1, "denied": 1,
        }  # fmt: skip
        assert records.tool_history("write_file", "bob")["denied"] == 1
        assert records.tool_history("read_file", "ann")["calls"] == 0
    finally:
        store.close()
