"""Running a suite: every case through the real Office loop, several at once, then checked.

The cases run on the Office's own store and brain, as `office run` would run them, each
task tagged `context.eval = {run, case}`. Memory is off, so cases stay independent; a case
with `documents` runs on a second Office with memory on, as a user of its own, its files
ingested into that user's memory first, so no case sees another's documents. A case whose
task asks a human for approval gets the answer its `approvals` field gives (deny by
default), recorded like any other human decision, so no case waits for a person.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from intelligent_office.errors import UserError
from intelligent_office.evals.chains import GraphCache
from intelligent_office.evals.checks import Outcome, run_checks
from intelligent_office.evals.results import CaseResult, EvalReport
from intelligent_office.evals.suite import EvalCase, Suite
from intelligent_office.office import OfficeOutput
from intelligent_office.runtime.worker import LocalWorker
from intelligent_office.task_input import new_task

if TYPE_CHECKING:  # the Office drives this module; only its type is needed here
    from intelligent_office.front_door import Office
from intelligent_office.settings import Settings
from intelligent_office.store import RunStatus

__all__ = ["EvalRunner", "brain_label"]

_EVAL = "office-eval"  # who decided, in the approvals and the audit log
_ANSWER_KEPT = 4000  # characters of each answer stored with the run


def brain_label(settings: Settings) -> str:
    """The brain the settings configure: `offline`, or each tier's models."""
    if not settings.llm.enabled:
        return "offline"
    return "; ".join(
        f"{tier.value}: {', '.join(models)}"
        for tier, models in settings.llm.tiers.items()
        if models
    )


@dataclass
class EvalRunner:
    """Runs the cases of a suite on an Office, `concurrency` at a time."""

    office: Office
    documents_office: Office | None = None
    """The same Office with memory on, for cases that bring documents (None: no memory)."""
    concurrency: int = 4
    case_timeout_seconds: float = 300.0
    on_case: Callable[[CaseResult], None] | None = None
    """Called as each case finishes (a progress bar)."""
    _decisions: dict[str, str] = field(default_factory=dict, init=False)
    _graphs: GraphCache = field(default_factory=GraphCache, init=False)

    async def run(
        self, suite: Suite, cases: list[EvalCase], *, filters: dict[str, Any] | None = None
    ) -> EvalReport:
        """Run the cases and return the report (not yet stored)."""
        run_id = uuid.uuid4().hex
        started_at, clock = datetime.now(UTC), time.perf_counter()
        worker = self.office.worker(listener=self._on_event)
        with_memory = self.documents_office
        memory_worker = (
            with_memory.worker(listener=self._on_event)
            if with_memory is not None and any(case.documents for case in cases)
            else None
        )
        limit = asyncio.Semaphore(self.concurrency)

        async def one(case: EvalCase) -> CaseResult:
            async with limit:
                chosen = memory_worker if case.documents and memory_worker else worker
                result = await self._run_case(chosen, suite, case, run_id)
            if self.on_case is not None:
                self.on_case(result)
            return result

        try:
            results = await asyncio.gather(*(one(case) for case in cases))
        finally:
            await worker.shutdown()
            if memory_worker is not None:
                await memory_worker.shutdown()
        return EvalReport(
            run_id=run_id,
            suite=suite.name,
            suite_path=str(suite.path),
            brain=brain_label(self.office.settings),
            started_at=started_at,
            seconds=time.perf_counter() - clock,
            filters=filters or {},
            cases=list(results),
        )

    def _on_event(self, run_id: str, kind: str, payload: dict[str, Any]) -> None:
        """Answer a request for approval the way the case says a human would."""
        decision = self._decisions.get(run_id)
        approval_id = payload.get("approval_id")
        if kind != "approval.requested" or decision is None or not isinstance(approval_id, str):
            return
        comment = f"the eval case says {decision}"
        try:
            if decision == "approve":
                self.office.decide_approval(approval_id, "approved", by=_EVAL, comment=comment)
            else:
                self.office.decide_approval(approval_id, "denied", by=_EVAL, comment=comment)
        except UserError:
            return  # decided already (a replayed event)

    async def _run_case(
        self, worker: LocalWorker, suite: Suite, case: EvalCase, eval_run: str
    ) -> CaseResult:
        clock = time.perf_counter()
        scratch: Path | None = None
        try:
            workspace = suite.workspace_of(case)
            if workspace is None:
                scratch = workspace = _scratch(case)
            return await self._execute(worker, case, workspace, eval_run, clock)
        except UserError as error:
            return CaseResult(
                case_id=case.id,
                capability=case.capability,
                task=case.task,
                passed=False,
                status="error",
                seconds=time.perf_counter() - clock,
                error=str(error),
            )
        finally:
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)

    async def _execute(
        self, worker: LocalWorker, case: EvalCase, workspace: Path, eval_run: str, clock: float
    ) -> CaseResult:
        office, user_id = self.office, None
        if case.documents:
            office, user_id = await self._with_documents(case, eval_run)
        task = new_task(
            case.task,
            workspace=workspace,
            allowed_tools=case.allowed_tools,
            criteria=case.criteria,
            user_id=user_id,
        )
        task = task.model_copy(
            update={"context": {**task.context, "eval": {"run": eval_run, "case": case.id}}}
        )
        record, submitted = office.submit(worker, task)
        self._decisions[submitted.run_id] = case.approvals
        try:
            finished = await asyncio.wait_for(
                worker.run(submitted.run_id), timeout=self.case_timeout_seconds
            )
        except TimeoutError:
            worker.cancel(submitted.run_id)
            finished = None
        seconds = time.perf_counter() - clock
        spent = self.office.store.llm_calls.spent(record.task_id)
        output = (
            OfficeOutput.model_validate(finished.result)
            if finished is not None and finished.result
            else None
        )
        outcome = _outcome(output, finished, workspace, self.case_timeout_seconds)
        outcome.cost_usd = spent.cost_usd
        asked = self.office.store.approvals.list(status=None, task_id=record.task_id)
        outcome.asked = sorted({approval.kind for approval in asked})
        checks = await asyncio.to_thread(run_checks, case.checks, outcome, self._graphs)
        return CaseResult(
            case_id=case.id,
            capability=case.capability,
            task=case.task,
            passed=all(check.passed for check in checks),
            status=outcome.status,
            task_id=record.task_id,
            seconds=seconds,
            iterations=outcome.iterations,
            tokens=spent.tokens,
            cost_usd=spent.cost_usd,
            brain=_brains(output) or brain_label(self.office.settings),
            tools=sorted(outcome.tools),
            checks=checks,
            answer=outcome.answer[:_ANSWER_KEPT],
        )

    async def _with_documents(self, case: EvalCase, eval_run: str) -> tuple[Office, str]:
        """The Office with memory, and the case's own user with its documents ingested.

        Raises:
            UserError: memory is not available (the `memory` extra is not installed).
        """
        office = self.documents_office
        if office is None or office.memory is None:
            raise UserError(
                f"case {case.id!r} brings documents, which needs memory: install the memory"
                " extra (pip install 'intelligent-office[memory]')"
            )
        # A user of its own per case and run: no case, and no earlier run, shares its memory.
        memory, user_id = office.memory, f"eval-{eval_run[:12]}-{case.id}"
        folder = Path(tempfile.mkdtemp(prefix=f"office-eval-docs-{case.id[:40]}-"))
        try:
            for relative, text in (case.documents or {}).items():
                path = folder / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            # The embedder's cache keeps a second run of the suite from embedding them again.
            await asyncio.to_thread(memory.ingest, folder, tenant=user_id)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return office, user_id


def _scratch(case: EvalCase) -> Path:
    """A new folder holding the case's scratch files."""
    folder = Path(tempfile.mkdtemp(prefix=f"office-eval-{case.id[:40]}-"))
    for relative, text in (case.workspace.scratch or {}).items():
        path = (folder / relative).resolve()
        if not path.is_relative_to(folder):
            raise UserError(f"case {case.id!r}: scratch file {relative!r} points out of the folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def _outcome(
    output: OfficeOutput | None, finished: Any, workspace: Path, timeout: float
) -> Outcome:
    if output is None:
        if finished is None:
            status, answer = "timed_out", f"no answer within {timeout:g} s"
        else:
            run_status: RunStatus = finished.status
            status, answer = f"run_{run_status.value}", str(finished.error or "")
        return Outcome(status=status, answer=answer, workspace=workspace)
    tools: set[str] = set()
    iterations = 0
    for subtask in output.subtasks.values():
        iterations += len(subtask.iterations)
        for record in subtask.iterations:
            for step in record.execution.steps if record.execution else []:
                tools.update(call.tool for call in step.tool_calls)
    gaps = {name for gap in output.gaps for name in gap.missing_capabilities}
    gaps |= {tool.name for gap in output.gaps for tool in gap.missing_tools}
    category = output.failure_category.value if output.failure_category else None
    return Outcome(
        status=output.status.value,
        answer=output.answer,
        workspace=workspace,
        tools=tools,
        gap_capabilities=gaps,
        failure_category=category,
        iterations=iterations,
    )


def _brains(output: OfficeOutput | None) -> str:
    """The models that made the plans (`offline` for the offline brain)."""
    if output is None:
        return ""
    models = {
        record.plan.metadata.model_used
        for subtask in output.subtasks.values()
        for record in subtask.iterations
        if record.plan is not None and record.plan.metadata.model_used
    }
    return ", ".join(sorted(models))
