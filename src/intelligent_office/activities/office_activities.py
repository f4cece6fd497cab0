"""The Office loop's activities: decomposer, planner, validator, step runner, reviewer.

`OfficeActivities` binds the activities to their services (a brain, the tools, plan
memory, records) the way a Temporal worker binds activity methods to an object: the
workflow code only sees the `Activity` objects and calls them through the runtime.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import JsonValue

from intelligent_office.activities.criteria import CriteriaJudge
from intelligent_office.activities.messages import (
    Answer,
    ApprovalOutcome,
    ApprovalRequest,
    Authorization,
    AuthorizeInput,
    DeadLetterInput,
    DecomposeInput,
    PlanInput,
    StepAuthorization,
    StepCall,
    StepOutput,
    TaskFinish,
    ToolListing,
    ValidateInput,
)
from intelligent_office.activities.records import MemoryRecords, OfficeRecords
from intelligent_office.activities.references import resolve_references
from intelligent_office.activities.validator import PlanValidator
from intelligent_office.errors import UserError
from intelligent_office.llm.base import (
    Brain,
    PlanCheckRequest,
    PlanningResult,
    PlanRequest,
    ReviewRequest,
    ReviewResult,
    SynthesisRequest,
)
from intelligent_office.memory.base import NoMemory, PlanRecall, PlanRetriever, SubtaskMemory
from intelligent_office.memory.reuse import adapt_plan, reuse_of
from intelligent_office.models import (
    Plan,
    SubtaskGraph,
    Task,
    ToolGapReport,
    ValidationDecision,
    ValidationIssue,
    ValidationLayer,
    ValidationReport,
)
from intelligent_office.observability.telemetry import Telemetry
from intelligent_office.risk import RiskModel, ToolHistory, step_signals
from intelligent_office.runtime.activity import Activity, Empty, activity
from intelligent_office.tools.base import ToolContext, ToolRegistry
from intelligent_office.tools.policy import Policy, default_policy

if TYPE_CHECKING:
    from intelligent_office.learning.advisor import Advice, PlanAdvisor
    from intelligent_office.tools.mcp.toolset import MCPToolset

__all__ = ["OfficeActivities", "workspace_of"]

_log = logging.getLogger(__name__)


def workspace_of(task: Task) -> Path:
    """The task's workspace directory (`context.workspace`), which must exist.

    Raises:
        UserError: there is none, or it is not a directory.
    """
    raw = task.context.get("workspace")
    if not isinstance(raw, str) or not raw.strip():
        raise UserError("the task has no workspace: set context.workspace to a directory")
    path = Path(raw).expanduser()
    if not path.is_dir():
        raise UserError(f"workspace {raw} does not exist or is not a directory: pass one that does")
    return path.resolve()


@dataclass
class OfficeActivities:
    """The activities the Office workflow calls, bound to the services they use."""

    brain: Brain
    tools: ToolRegistry
    records: OfficeRecords = field(default_factory=MemoryRecords)
    retriever: PlanRetriever = field(default_factory=NoMemory)
    policy: Policy = field(default_factory=default_policy)
    mcp: MCPToolset | None = None
    """The MCP servers whose tools are in `tools`; re-listed at the start of every run."""
    telemetry: Telemetry = field(default_factory=Telemetry)
    """Where tool-call spans and metrics go."""
    advisor: PlanAdvisor | None = None
    """Learned guidance and the prompt versions in effect (`office learn`, `office prompts`)."""
    risk: RiskModel = field(default_factory=RiskModel)
    """Scores each step's risk and decides: run, ask a person, or refuse."""

    def __post_init__(self) -> None:
        self.validator = PlanValidator(self.tools)
        self.decompose: Activity[DecomposeInput, SubtaskGraph] = activity("office.decompose")(
            self._decompose
        )
        self.plan: Activity[PlanInput, PlanningResult] = activity("office.plan")(self._plan)
        self.validate: Activity[ValidateInput, ValidationReport] = activity("office.validate")(
            self._validate
        )
        self.authorize: Activity[AuthorizeInput, Authorization] = activity("office.authorize")(
            self._authorize
        )
        self.record_gap: Activity[ToolGapReport, Empty] = activity("office.record_gap")(
            self._record_gap
        )
        self.list_tools: Activity[Empty, ToolListing] = activity("office.list_tools")(
            self._list_tools
        )
        self.run_step: Activity[StepCall, StepOutput] = activity("office.run_step")(self._run_step)
        self.review: Activity[ReviewRequest, ReviewResult] = activity("office.review")(self._review)
        self.synthesize: Activity[SynthesisRequest, Answer] = activity("office.synthesize")(
            self._synthesize
        )
        self.dead_letter: Activity[DeadLetterInput, Empty] = activity("office.dead_letter")(
            self._dead_letter
        )
        self.finish_task: Activity[TaskFinish, Empty] = activity("office.finish_task")(
            self._finish_task
        )
        self.request_approval: Activity[ApprovalRequest, Empty] = activity(
            "office.request_approval"
        )(self._request_approval)
        self.expire_approval: Activity[ApprovalOutcome, ApprovalOutcome] = activity(
            "office.expire_approval"
        )(self._expire_approval)
        self.remember: Activity[SubtaskMemory, Empty] = activity("office.remember")(self._remember)

    async def _decompose(self, value: DecomposeInput) -> SubtaskGraph:
        workspace_of(value.task)  # a task without a usable workspace stops here, clearly
        return await self.brain.decompose(value.task, self.tools.specs())

    async def _recall(self, value: PlanInput) -> PlanRecall:
        try:
            return await self.retriever.recall(value.task, value.subtask, tools=self.tools.names())
        except Exception as error:  # memory helps planning; it must never stop it
            _log.warning("plan memory unavailable, planning without it: %s", error)
            return PlanRecall()

    async def _plan(self, value: PlanInput) -> PlanningResult:
        recall = await self._recall(value)
        if recall.reusable is not None and value.iteration == 1 and not value.feedback:
            # A near-identical request with a sound record: run that plan again, unasked.
            match = recall.reusable
            plan = adapt_plan(match, value.task, value.subtask, value.iteration)
            return PlanningResult(plan=plan, reused=reuse_of(match))
        request = PlanRequest(
            task=value.task,
            subtask=value.subtask,
            iteration=value.iteration,
            feedback=value.feedback,
            similar_plans=[match.plan for match in recall.successes],
            past_plans=[*recall.successes, *recall.failures],
            upstream_answers=value.upstream_answers,
            tools=self.tools.specs(),
        )
        advisor = self.advisor
        advice = await self._advise(advisor, value) if advisor is not None else None
        if advisor is None or advice is None:
            return await self.brain.plan(request)
        request = request.model_copy(update={"guidance": advice.guidance, "prompt": advice.prompt})
        result = await self.brain.plan(request)
        try:
            used = await asyncio.to_thread(advisor.used, advice, result.plan)
        except Exception as error:  # a lost count must not lose the plan
            _log.warning("could not count the guidance used: %s", error)
            used = []
        return result.model_copy(update={"guidance": used, "prompt_versions": advice.versions})

    async def _advise(self, advisor: PlanAdvisor, value: PlanInput) -> Advice | None:
        try:
            return await asyncio.to_thread(advisor.advise, value.task, value.subtask)
        except Exception as error:  # guidance helps planning; it must never stop it
            _log.warning("planner guidance unavailable, planning without it: %s", error)
            return None

    async def _remember(self, value: SubtaskMemory) -> Empty:
        await self.retriever.remember(value)
        return Empty()

    async def _validate(self, value: ValidateInput) -> ValidationReport:
        workspace = workspace_of(value.task)
        report = await asyncio.to_thread(self.validator.validate, value.plan, value.task, workspace)
        if report.decision is ValidationDecision.REJECTED or value.subtask is None:
            return report
        # The rules passed: the brain's semantic look (a model, when one is configured).
        problems = await self.brain.check_plan(
            PlanCheckRequest(
                task=value.task,
                subtask=value.subtask,
                plan=Plan.model_validate(value.plan),
                tools=self.tools.specs(),
            )
        )
        if not problems:
            return report
        issues = [ValidationIssue(layer=ValidationLayer.SEMANTIC, message=p) for p in problems]
        return ValidationReport(
            plan_id=report.plan_id, decision=ValidationDecision.REJECTED, issues=issues
        )

    async def _list_tools(self, _: Empty) -> ToolListing:
        # A server whose tool list changed since the last run is picked up here.
        if self.mcp is None:
            return ToolListing()
        tools = await self.mcp.refresh()
        return ToolListing(tools=tools, servers=self.mcp.servers())

    async def _record_gap(self, value: ToolGapReport) -> Empty:
        await asyncio.to_thread(
            self.records.add_tool_gap,
            value.task_id,
            value.subtask_id,
            value.model_dump(mode="json"),
        )
        return Empty()

    async def _authorize(self, value: AuthorizeInput) -> Authorization:
        decisions: list[StepAuthorization] = []
        tenant = value.task.user_id or "local"
        for step in value.plan.steps:
            spec = self.tools.get(step.action).spec
            decision = self.policy.decide(step.action, spec.risk_level, step.inputs)
            counts = await asyncio.to_thread(self.records.tool_history, step.action, tenant)
            signals = step_signals(
                tool=step.action,
                arguments=step.inputs,
                declared_risk=spec.risk_level.value,
                policy_risk=decision.risk.value,
                policy_verdict=decision.verdict.value,
                confidence=value.plan.confidence,
                history=ToolHistory(**counts),
                path_parameters=list(spec.path_parameters),
            )
            scored = self.risk.score(signals)
            decided = self.risk.decide(
                scored.score, policy_verdict=decision.verdict.value, policy_risk=decision.risk.value
            )
            decisions.append(
                StepAuthorization(
                    step_id=step.step_id,
                    tool=step.action,
                    arguments=step.inputs,
                    verdict=decision.verdict.value,
                    risk=decision.risk.value,
                    rule=decision.rule,
                    reason=decision.reason,
                    decision=decided.value,
                    score=scored.score,
                    signals=scored.signals,
                    contributions=scored.contributions,
                )
            )
        for item in decisions:
            await asyncio.to_thread(
                self.records.audit,
                actor="policy",
                action=f"policy.{item.verdict}",
                subject=item.describe(),
                reason=item.reason,
                task_id=value.task.task_id,
                run_id=value.run_id,
                rule=item.rule,
                detail={
                    "plan_id": value.plan.plan_id,
                    "step_id": item.step_id,
                    "tool": item.tool,
                    "risk": item.risk,
                    **item.risk_detail(),
                },
            )
        return Authorization(steps=decisions)

    async def _run_step(self, call: StepCall) -> StepOutput:
        started_at = datetime.now(UTC)
        clock = time.perf_counter()
        if call.for_each is None:
            arguments = resolve_references(call.inputs, call.upstream)
            result = await self._call_tool(call, arguments, call.idempotency_key)
        else:
            # One call per item, each with its own idempotency key; results in item order.
            calls: list[JsonValue] = []
            results: list[JsonValue] = []
            for index, item in enumerate(call.for_each):
                each = resolve_references(call.inputs, {**call.upstream, "item": item})
                calls.append(each)
                results.append(
                    await self._call_tool(call, each, f"{call.idempotency_key}/item/{index}")
                )
            arguments, result = {"for_each": calls}, results
        return StepOutput(
            tool=call.tool,
            arguments=arguments,
            result=result,
            started_at=started_at,
            finished_at=datetime.now(UTC),
            duration_seconds=time.perf_counter() - clock,
        )

    async def _audit_failure(self, call: StepCall, error: Exception) -> None:
        """A failed tool call counts against the tool in the risk score's history."""
        try:
            await asyncio.to_thread(
                self.records.audit,
                actor="tool",
                action="tool.failed",
                subject=f"{call.tool} (step {call.step_id})",
                reason=f"{type(error).__name__}: {error}"[:500],
                task_id=call.task.task_id,
                run_id=None,
                rule=None,
                detail={"tool": call.tool, "step_id": call.step_id},
            )
        except Exception as failure:  # the log is history, not the step's outcome
            _log.warning("could not audit a failed tool call: %s", failure)

    async def _call_tool(
        self, call: StepCall, arguments: dict[str, JsonValue], idempotency_key: str
    ) -> JsonValue:
        context = ToolContext(
            workspace=workspace_of(call.task),
            idempotency_key=idempotency_key,
            timeout_seconds=call.timeout_seconds,
            task_id=call.task.task_id,
            subtask_id=call.subtask_id,
        )
        try:
            with self.telemetry.tool_call(call.tool, step_id=call.step_id):
                return await self.tools.call(call.tool, context, arguments)
        except Exception as error:
            await self._audit_failure(call, error)
            raise

    async def _review(self, value: ReviewRequest) -> ReviewResult:
        # The reviewer re-reads files to check the outputs: give it the resolved workspace.
        workspace = str(workspace_of(value.task))
        request = value.model_copy(update={"workspace": workspace})
        result = await self.brain.review(request)
        return await CriteriaJudge(self.tools, self.policy).judge(request, result)

    async def _synthesize(self, value: SynthesisRequest) -> Answer:
        return Answer(text=await self.brain.synthesize(value))

    async def _dead_letter(self, value: DeadLetterInput) -> Empty:
        await asyncio.to_thread(
            self.records.add_dead_letter,
            dead_letter_id=value.dead_letter_id,
            task_id=value.task.task_id,
            run_id=value.run_id,
            category=value.category,
            reason=value.reason,
            history={"task": value.task.model_dump(mode="json"), **value.history},
        )
        return Empty()

    async def _finish_task(self, value: TaskFinish) -> Empty:
        await asyncio.to_thread(self.records.set_task_status, value.task_id, value.status)
        return Empty()

    async def _request_approval(self, value: ApprovalRequest) -> Empty:
        await asyncio.to_thread(
            self.records.request_approval,
            approval_id=value.approval_id,
            task_id=value.task_id,
            run_id=value.run_id,
            kind=value.kind,
            subject=value.subject,
            detail=dict(value.detail),
        )
        return Empty()

    async def _expire_approval(self, value: ApprovalOutcome) -> ApprovalOutcome:
        status = await asyncio.to_thread(self.records.expire_approval, value.approval_id)
        return ApprovalOutcome(approval_id=value.approval_id, status=status)
