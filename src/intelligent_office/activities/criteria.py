"""Judging a task's own acceptance criteria after the reviewer has spoken.

Machine checks are computed here: a `regex` must match the answer (or, with no answer
yet, the steps' outputs), a `file` must exist in the workspace, a `command` must exit 0
when run by `/bin/sh` in the sandbox, through the `python_exec` tool and the tool policy.
Text criteria keep the reviewer model's verdict when it gave one; the offline rules
score them by how many of their words the answer contains (advisory: they do not turn
an approval into a revision). A failed machine check does: the review becomes REVISE
with the failure as feedback.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import JsonValue

from intelligent_office.errors import OfficeError
from intelligent_office.llm.base import ReviewRequest, ReviewResult
from intelligent_office.models import (
    Criterion,
    CriterionKind,
    CriterionResult,
    ReviewDecision,
)
from intelligent_office.tools.base import ToolContext, ToolRegistry
from intelligent_office.tools.policy import Policy, Verdict
from intelligent_office.tools.workspace import resolve_in_workspace

__all__ = ["COMMAND_TIMEOUT_SECONDS", "CriteriaJudge", "word_match"]

COMMAND_TIMEOUT_SECONDS = 60.0
"""Longest a `command` check may run."""

_STOPWORDS = frozenset(
    "the a an and or of to in on for with is are be it its this that as by at from it's"
    " must should has have answer result mention mentions include includes list lists".split()
)
_WORD = re.compile(r"[a-z0-9_]{3,}")


def word_match(criterion: str, text: str) -> float:
    """The share of the criterion's content words found in the text (1.0 if it has none)."""
    words = {w for w in _WORD.findall(criterion.lower()) if w not in _STOPWORDS}
    if not words:
        return 1.0
    haystack = text.lower()
    return sum(1 for word in words if word in haystack) / len(words)


@dataclass(frozen=True)
class CriteriaJudge:
    """Scores each criterion of a task against one reviewed execution."""

    tools: ToolRegistry
    policy: Policy

    async def judge(self, request: ReviewRequest, result: ReviewResult) -> ReviewResult:
        """The review with every criterion judged; REVISE if a machine check failed."""
        criteria = request.task.criteria
        if not criteria:
            return result
        given = {item.criterion.describe(): item for item in result.review.criteria}
        text = result.answer or _outputs_text(request)
        judged = [
            given.get(criterion.describe()) or await self._one(criterion, text, request)
            for criterion in criteria
        ]
        review = result.review.model_copy(update={"criteria": judged})
        failed = [item for item in judged if item.criterion.machine and not item.passed]
        if failed and review.decision is ReviewDecision.APPROVE:
            feedback = "acceptance checks failed: " + "; ".join(
                f"{item.criterion.describe()} ({item.detail})" for item in failed
            )
            review = review.model_copy(
                update={"decision": ReviewDecision.REVISE, "feedback": feedback}
            )
            return ReviewResult(review=review, answer="", details=result.details)
        return result.model_copy(update={"review": review})

    async def _one(
        self, criterion: Criterion, text: str, request: ReviewRequest
    ) -> CriterionResult:
        if criterion.kind is CriterionKind.TEXT:
            score = word_match(criterion.value, text)
            return CriterionResult(
                criterion=criterion,
                passed=score >= 0.5,
                score=score,
                detail=f"{score:.0%} of its words are in the answer",
                judged_by="offline",
            )
        if criterion.kind is CriterionKind.REGEX:
            match = re.search(criterion.value, text, re.MULTILINE)
            detail = f"matched {match.group(0)[:80]!r}" if match else "no match in the answer"
            return _checked(criterion, match is not None, detail)
        workspace = Path(request.workspace)
        if criterion.kind is CriterionKind.FILE:
            try:
                path = resolve_in_workspace(workspace, criterion.value)
            except OfficeError as error:
                return _checked(criterion, False, str(error))
            exists = path.exists()
            return _checked(criterion, exists, "exists" if exists else "does not exist")
        return await self._command(criterion, request, workspace)

    async def _command(
        self, criterion: Criterion, request: ReviewRequest, workspace: Path
    ) -> CriterionResult:
        if "python_exec" not in self.tools:
            return _checked(criterion, False, "no sandbox: the python_exec tool is not available")
        code = (
            "import subprocess, sys\n"
            f"sys.exit(subprocess.run(['/bin/sh', '-c', {criterion.value!r}]).returncode)\n"
        )
        arguments: dict[str, JsonValue] = {"code": code, "timeout_seconds": COMMAND_TIMEOUT_SECONDS}
        spec = self.tools.get("python_exec").spec
        decision = self.policy.decide("python_exec", spec.risk_level, arguments)
        if decision.verdict != Verdict.ALLOW:
            return _checked(
                criterion,
                False,
                f"the tool policy says {decision.verdict.value}: {decision.reason}",
            )
        context = ToolContext(
            workspace=workspace,
            idempotency_key=f"{request.task.task_id}/criteria/{request.iteration}",
            timeout_seconds=COMMAND_TIMEOUT_SECONDS,
            task_id=request.task.task_id,
            subtask_id=request.subtask.subtask_id,
        )
        try:
            run = await self.tools.call("python_exec", context, arguments)
        except OfficeError as error:
            return _checked(criterion, False, f"could not run: {error}")
        report = run if isinstance(run, dict) else {}
        code_out = report.get("exit_code")
        detail = f"exit code {code_out}"
        output = str(report.get("stderr") or report.get("stdout") or "").strip()
        if code_out != 0 and output:
            detail += f": {output[-200:]}"
        return _checked(criterion, code_out == 0, detail)


def _checked(criterion: Criterion, passed: bool, detail: str) -> CriterionResult:
    return CriterionResult(
        criterion=criterion, passed=passed, score=1.0 if passed else 0.0, detail=detail
    )


def _outputs_text(request: ReviewRequest) -> str:
    return "\n".join(
        json.dumps(step.outputs, default=str, sort_keys=True) for step in request.execution.steps
    )
