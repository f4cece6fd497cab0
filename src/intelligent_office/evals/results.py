"""What an eval run found: each case, the pass rate by capability, and run-to-run changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from intelligent_office.evals.checks import CheckResult
from intelligent_office.store.evals import EvalCaseRecord, EvalRunRecord

__all__ = ["CapabilityScore", "CaseChange", "CaseResult", "Comparison", "EvalReport", "compare"]


class CaseResult(BaseModel):
    """One case: passed or not and why, what it took, and the task to look at."""

    case_id: str
    capability: str
    task: str = ""
    passed: bool
    status: str = Field(description="How the task ended: completed, unsupported ... or error.")
    task_id: str | None = None
    seconds: float = 0.0
    iterations: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    brain: str = ""
    tools: list[str] = Field(default_factory=list)
    checks: list[CheckResult] = Field(default_factory=list)
    answer: str = ""
    error: str | None = Field(default=None, description="Why the case could not run at all.")

    @property
    def why(self) -> str:
        """The failed checks' reasons (empty when it passed)."""
        if self.error:
            return self.error
        return "; ".join(f"{c.check}: {c.detail}" for c in self.checks if not c.passed)

    def to_record(self) -> EvalCaseRecord:
        """The stored form."""
        extra = {
            "results": [check.model_dump() for check in self.checks],
            "tools": self.tools,
            "task": self.task,
            "answer": self.answer,
            "error": self.error,
        }
        return EvalCaseRecord(
            case_id=self.case_id,
            capability=self.capability,
            passed=self.passed,
            task_id=self.task_id,
            status=self.status,
            seconds=self.seconds,
            iterations=self.iterations,
            tokens=self.tokens,
            cost_usd=self.cost_usd,
            brain=self.brain,
            checks=extra,
        )

    @classmethod
    def from_record(cls, record: EvalCaseRecord) -> CaseResult:
        """Back from the stored form."""
        extra = record.checks
        return cls(
            case_id=record.case_id,
            capability=record.capability,
            task=str(extra.get("task") or ""),
            passed=record.passed,
            status=record.status,
            task_id=record.task_id,
            seconds=record.seconds,
            iterations=record.iterations,
            tokens=record.tokens,
            cost_usd=record.cost_usd,
            brain=record.brain,
            tools=list(extra.get("tools") or []),
            checks=[CheckResult.model_validate(item) for item in extra.get("results") or []],
            answer=str(extra.get("answer") or ""),
            error=extra.get("error"),
        )


class CapabilityScore(BaseModel):
    """How many cases of one capability passed."""

    capability: str
    passed: int
    total: int

    @property
    def rate(self) -> float:
        """Passed over total."""
        return self.passed / self.total if self.total else 0.0


class EvalReport(BaseModel):
    """One run of a suite."""

    run_id: str
    suite: str
    suite_path: str
    brain: str
    started_at: datetime
    seconds: float
    filters: dict[str, Any] = Field(default_factory=dict)
    cases: list[CaseResult]

    @property
    def passed(self) -> int:
        """How many cases passed."""
        return sum(case.passed for case in self.cases)

    @property
    def pass_rate(self) -> float:
        """Passed over all cases."""
        return self.passed / len(self.cases) if self.cases else 0.0

    def by_capability(self) -> list[CapabilityScore]:
        """Scores by capability, in alphabetical order."""
        scores: dict[str, CapabilityScore] = {}
        for case in self.cases:
            score = scores.setdefault(
                case.capability, CapabilityScore(capability=case.capability, passed=0, total=0)
            )
            score.total += 1
            score.passed += case.passed
        return [scores[name] for name in sorted(scores)]

    def failures(self) -> list[CaseResult]:
        """The cases that did not pass, in suite order."""
        return [case for case in self.cases if not case.passed]

    def summary(self) -> dict[str, Any]:
        """The figures a listing of runs shows, and what the JSON output leads with."""
        return {
            "cases": len(self.cases),
            "passed": self.passed,
            "pass_rate": round(self.pass_rate, 4),
            "by_capability": {
                score.capability: {"passed": score.passed, "total": score.total}
                for score in self.by_capability()
            },
            "tokens": sum(case.tokens for case in self.cases),
            "cost_usd": sum(case.cost_usd for case in self.cases),
            "filters": self.filters,
        }

    def to_json(self) -> dict[str, Any]:
        """The whole report as JSON: summary first, then every case."""
        return {
            "run_id": self.run_id,
            "suite": self.suite,
            "suite_path": self.suite_path,
            "brain": self.brain,
            "started_at": self.started_at.isoformat(),
            "seconds": round(self.seconds, 3),
            **self.summary(),
            "results": [{**case.model_dump(mode="json"), "why": case.why} for case in self.cases],
        }

    def to_record(self) -> EvalRunRecord:
        """The stored form, cases included."""
        return EvalRunRecord(
            id=self.run_id,
            suite=self.suite,
            suite_path=self.suite_path,
            brain=self.brain,
            cases_total=len(self.cases),
            cases_passed=self.passed,
            seconds=self.seconds,
            summary=self.summary(),
            started_at=self.started_at,
            cases=tuple(case.to_record() for case in self.cases),
        )

    @classmethod
    def from_record(cls, record: EvalRunRecord) -> EvalReport:
        """Back from the stored form."""
        return cls(
            run_id=record.id,
            suite=record.suite,
            suite_path=record.suite_path,
            brain=record.brain,
            started_at=record.started_at,
            seconds=record.seconds,
            filters=dict(record.summary.get("filters") or {}),
            cases=[CaseResult.from_record(case) for case in record.cases],
        )


class CaseChange(BaseModel):
    """A case whose outcome differs between two runs."""

    case_id: str
    capability: str
    before: str = Field(description="passed, failed or absent")
    after: str
    why: str = Field(default="", description="Why it fails now (or failed before).")


class Comparison(BaseModel):
    """Run B against run A: cases fixed, broken, added or gone, and scores side by side."""

    run_a: str
    run_b: str
    fixed: list[CaseChange]
    broken: list[CaseChange]
    added: list[CaseChange]
    removed: list[CaseChange]
    scores: list[tuple[str, CapabilityScore | None, CapabilityScore | None]]


def compare(a: EvalReport, b: EvalReport) -> Comparison:
    """What got better or worse from run `a` to run `b`."""
    before = {case.case_id: case for case in a.cases}
    after = {case.case_id: case for case in b.cases}
    fixed, broken, added, removed = [], [], [], []
    for case_id, new in after.items():
        old = before.get(case_id)
        state = "passed" if new.passed else "failed"
        if old is None:
            added.append(CaseChange(case_id=case_id, capability=new.capability, before="absent",
                                    after=state, why=new.why))  # fmt: skip
        elif old.passed and not new.passed:
            broken.append(CaseChange(case_id=case_id, capability=new.capability, before="passed",
                                     after="failed", why=new.why))  # fmt: skip
        elif new.passed and not old.passed:
            fixed.append(CaseChange(case_id=case_id, capability=new.capability, before="failed",
                                    after="passed", why=old.why))  # fmt: skip
    for case_id, old in before.items():
        if case_id not in after:
            removed.append(CaseChange(case_id=case_id, capability=old.capability,
                                      before="passed" if old.passed else "failed",
                                      after="absent"))  # fmt: skip
    scores_a = {score.capability: score for score in a.by_capability()}
    scores_b = {score.capability: score for score in b.by_capability()}
    scores = [
        (name, scores_a.get(name), scores_b.get(name)) for name in sorted({*scores_a, *scores_b})
    ]
    return Comparison(
        run_a=a.run_id,
        run_b=b.run_id,
        fixed=fixed,
        broken=broken,
        added=added,
        removed=removed,
        scores=scores,
    )
