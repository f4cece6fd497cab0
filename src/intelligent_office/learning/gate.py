"""The eval gate: a candidate prompt version runs the suite beside the current one.

It passes when no capability's pass rate drops by more than the margin and the overall
pass rate rises. With the offline brain a tier `offline` version is a guidance set, so
the same gate decides whether learned guidance goes into effect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from intelligent_office.evals import EvalReport, EvalRunner, load_suite
from intelligent_office.learning.advisor import PlanAdvisor
from intelligent_office.learning.prompt_versions import (
    CANDIDATE,
    PromptVersion,
    PromptVersionRepository,
)

if TYPE_CHECKING:  # the Office drives this module; only its type is needed here
    from intelligent_office.front_door import Office

__all__ = ["CapabilityLoss", "GateVerdict", "evaluate_candidate", "judge"]


@dataclass(frozen=True)
class CapabilityLoss:
    """A capability the candidate does worse on than the margin allows."""

    capability: str
    current_rate: float
    candidate_rate: float


@dataclass
class GateVerdict:
    """The gate's decision and the figures behind it."""

    passed: bool
    current_rate: float
    candidate_rate: float
    margin: float
    lost: list[CapabilityLoss] = field(default_factory=list)
    by_capability: dict[str, tuple[float, float]] = field(default_factory=dict)
    """capability -> (current rate, candidate rate)."""

    @property
    def reason(self) -> str:
        """One line on why it passed or not."""
        if self.lost:
            names = ", ".join(
                f"{loss.capability} ({loss.current_rate:.0%} -> {loss.candidate_rate:.0%})"
                for loss in self.lost
            )
            return f"refused: worse on {names}"
        rates = f"{self.current_rate:.1%} -> {self.candidate_rate:.1%}"
        if not self.passed:
            return f"refused: not better overall ({rates})"
        return f"better overall ({rates}), no capability lost"

    def to_json(self) -> dict[str, Any]:
        """As kept with the version."""
        return {
            "passed": self.passed,
            "reason": self.reason,
            "current_rate": self.current_rate,
            "candidate_rate": self.candidate_rate,
            "margin": self.margin,
            "lost": [loss.capability for loss in self.lost],
            "by_capability": {k: list(v) for k, v in self.by_capability.items()},
        }


def judge(current: EvalReport, candidate: EvalReport, margin: float) -> GateVerdict:
    """The verdict on two runs of the same suite."""
    before = {score.capability: score.rate for score in current.by_capability()}
    after = {score.capability: score.rate for score in candidate.by_capability()}
    lost = [
        CapabilityLoss(name, before[name], after.get(name, 0.0))
        for name in sorted(before)
        if after.get(name, 0.0) < before[name] - margin - 1e-9
    ]
    better = candidate.pass_rate > current.pass_rate + 1e-9
    return GateVerdict(
        passed=better and not lost,
        current_rate=current.pass_rate,
        candidate_rate=candidate.pass_rate,
        margin=margin,
        lost=lost,
        by_capability={
            name: (before.get(name, 0.0), after.get(name, 0.0)) for name in sorted(before | after)
        },
    )


async def evaluate_candidate(
    office: Office,
    version: PromptVersion,
    suite_path: Path,
    *,
    concurrency: int = 4,
    promote: bool | None = None,
) -> tuple[GateVerdict, EvalReport, EvalReport]:
    """Run the suite with the current version, then with the candidate; judge; maybe promote.

    `promote` None follows the `learning.auto_promote` setting. The two runs are stored
    like any `office eval` run, and the verdict is kept with the candidate.
    """
    versions = PromptVersionRepository(office.store.engine)
    if version.status != CANDIDATE:
        from intelligent_office.errors import UserError

        raise UserError(f"{version.id} is {version.status}: only a candidate is evaluated")
    current = versions.current(version.tier)
    suite = load_suite(suite_path)
    settings = office.settings.learning
    reports: list[EvalReport] = []
    # Plan memory off for both runs: a plan the first run stored must not answer the second.
    memory, office.memory = office.memory, None
    try:
        for pinned in (current, version):
            office.advisor = PlanAdvisor(office.store, settings, pins={version.tier: pinned.id})
            report = await EvalRunner(office, concurrency=concurrency).run(
                suite, suite.cases, filters={"prompt_version": pinned.id}
            )
            office.store.evals.add(report.to_record())
            reports.append(report)
    finally:
        office.advisor, office.memory = None, memory
    verdict = judge(reports[0], reports[1], settings.gate_margin)
    evaluation = {
        **verdict.to_json(),
        "suite": str(suite_path),
        "current": current.id,
        "eval_runs": [r.run_id for r in reports],
    }
    versions.set_evaluation(version.id, evaluation)
    if verdict.passed and (settings.auto_promote if promote is None else promote):
        versions.promote(version.id)
    elif not verdict.passed:
        versions.refuse(version.id)
    return verdict, reports[0], reports[1]
