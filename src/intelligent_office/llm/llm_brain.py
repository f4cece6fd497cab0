"""The LLM brain: decomposer, planner, semantic validator, reviewer and synthesizer on models.

Each role asks its tier (through the router) for a small, strictly validated draft — a
decomposition, a plan or a gap report, a list of problems, a review — and turns it into
the project's contract. A draft that does not validate (a dependency cycle, a plan with
no steps ...) is sent back to the model by pydantic-ai with the error, up to
`output_retries` times. A tier with no model falls back to the offline brain, and so
does a call whose every model failed (drafts that keep failing validation, timeouts,
a server down) unless `llm.offline_fallback` is off: a `brain.fell_back` event says so.

The reviewer's answer and the synthesizer's text are streamed as `answer.delta` events
while the model writes them, when its provider streams (`AnswerStream`).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal, Self, TypeVar

from pydantic import BaseModel, Field, JsonValue, model_validator

from intelligent_office.errors import ModelUnavailable
from intelligent_office.llm.answer_stream import AnswerStream
from intelligent_office.llm.base import (
    Brain,
    PlanCheckRequest,
    PlanningResult,
    PlanRequest,
    ReviewRequest,
    ReviewResult,
    SynthesisRequest,
)
from intelligent_office.llm.budget import CallScope
from intelligent_office.llm.config import Budget, Tier
from intelligent_office.llm.offline import OfflineBrain
from intelligent_office.llm.prompts import (
    CHECK_PLAN,
    DECOMPOSE,
    PLAN,
    REVIEW,
    SYNTHESIZE,
    Prompt,
)
from intelligent_office.llm.router import LLMReply, LLMRouter, TextListener
from intelligent_office.models import (
    CriterionKind,
    CriterionResult,
    MissingTool,
    Plan,
    PlanMetadata,
    Review,
    ReviewDecision,
    ReviewScores,
    Step,
    Subtask,
    SubtaskGraph,
    Task,
    ToolGapReport,
)
from intelligent_office.models._dependencies import check_dependencies, find_cycle
from intelligent_office.tools.base import ToolSpec
from intelligent_office.tools.code_analyzer.report import UNRESOLVED_MARK, unresolved_sentence

__all__ = ["FELL_BACK", "LLMBrain"]

T = TypeVar("T")

FELL_BACK = "brain.fell_back"
"""The event of a role done by the offline brain because every model of its tier failed."""

_OUTPUT_LIMIT = 4000
"""Characters of one step's output shown to the reviewer."""


class DraftSubtask(BaseModel):
    id: str = Field(min_length=1, description="Short id: s1, s2 ...")
    description: str = Field(min_length=1)
    dependencies: list[str] = Field(default_factory=list, description="Ids this one needs.")
    tool_hints: list[str] = Field(default_factory=list)


def _acyclic(kind: str, nodes: list[tuple[str, list[str]]]) -> None:
    """Refuse a draft whose dependencies are wrong or go round in a cycle (named)."""
    check_dependencies(kind, nodes)
    cycle = find_cycle(nodes)
    if cycle is not None:
        raise ValueError(
            f"the {kind}s depend on each other in a cycle: {' -> '.join(cycle)};"
            " remove one of these dependencies"
        )


class DraftDecomposition(BaseModel):
    """The task's subtasks (one for a simple task)."""

    subtasks: list[DraftSubtask] = Field(min_length=1)

    @model_validator(mode="after")
    def _is_a_dag(self) -> Self:
        _acyclic("subtask", [(s.id, s.dependencies) for s in self.subtasks])
        return self


class DraftStep(BaseModel):
    id: str = Field(min_length=1, description="Step id, unique in the plan.")
    tool: str = Field(min_length=1, description="A tool name from the list.")
    inputs: dict[str, Any] = Field(default_factory=dict, description="The tool's arguments.")
    dependencies: list[str] = Field(default_factory=list)
    timeout_seconds: float = Field(default=60.0, gt=0)
    when: str | None = Field(
        default=None,
        description=(
            "Optional condition over dependencies, e.g. `len(steps.ls.output.files) > 0` or"
            " `steps.a.status == 'succeeded'`: comparisons, and/or/not, len, in; else skipped."
        ),
    )
    for_each: str | None = Field(
        default=None,
        description="Optional list to loop over, e.g. `steps.ls.output.files`; inputs use ${item}.",
    )
    if_dependency_skipped: Literal["skip", "run"] = Field(
        default="skip", description="run: run even when a dependency was skipped (a join)."
    )


class DraftGap(BaseModel):
    missing_capabilities: list[str] = Field(min_length=1)
    suggestion: str = Field(min_length=1, description="What tool or access would close the gap.")
    missing_tools: list[MissingTool] = Field(
        default_factory=list, description="Tools that would close the gap, specified."
    )
    proposed_mcp_server: str | None = Field(
        default=None, description="An MCP server that could provide them, if you know one."
    )


class DraftPlan(BaseModel):
    """Either steps (a plan) or a gap (the tools cannot do it)."""

    steps: list[DraftStep] = Field(default_factory=list)
    confidence: float = Field(default=0.7, ge=0, le=1)
    gap: DraftGap | None = None

    @model_validator(mode="after")
    def _steps_or_gap(self) -> Self:
        if bool(self.steps) == (self.gap is not None):
            raise ValueError("give either steps (a plan) or a gap report, not both or neither")
        _acyclic("step", [(s.id, s.dependencies) for s in self.steps])
        return self


class DraftCheck(BaseModel):
    problems: list[str] = Field(default_factory=list, description="[] when the plan is sound.")


class DraftCriterion(BaseModel):
    criterion: str = Field(description="The acceptance criterion's text, as given.")
    passed: bool
    reason: str = Field(default="", description="Why it is met or not, in one sentence.")


class DraftReview(BaseModel):
    decision: Literal["APPROVE", "REVISE", "ESCALATE", "FAIL"]
    criteria: list[DraftCriterion] = Field(
        default_factory=list, description="Each acceptance criterion of the input, judged."
    )
    feedback: str = Field(default="", description="Required unless APPROVE.")
    answer: str = Field(default="", description="The subtask's answer, when APPROVE.")
    completeness: float = Field(ge=0, le=1)
    accuracy: float = Field(ge=0, le=1)
    quality: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _explained(self) -> Self:
        if self.decision != "APPROVE" and not self.feedback.strip():
            raise ValueError(f"feedback is required for {self.decision}: say what is wrong")
        if self.decision == "APPROVE" and not self.answer.strip():
            raise ValueError("an APPROVE needs the subtask's answer")
        return self


def _dumps(value: Any) -> str:
    return json.dumps(value, indent=1, default=str, ensure_ascii=False)


def _tool_lines(tools: list[ToolSpec]) -> list[dict[str, JsonValue]]:
    return [
        {"name": t.name, "description": t.description, "parameters": t.parameters} for t in tools
    ]


def _clip(value: JsonValue) -> JsonValue:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return value if len(text) <= _OUTPUT_LIMIT else text[:_OUTPUT_LIMIT] + " ...[truncated]"


def _memory_context(request: PlanRequest) -> dict[str, JsonValue]:
    """Similar past successes (to follow) and failures (to avoid), from plan memory."""
    if not request.past_plans:
        return {
            "similar_past_plans": [
                [{"tool": s.action, "inputs": s.inputs} for s in plan.steps]
                for plan in request.similar_plans
            ]
        }
    lines: dict[str, list[JsonValue]] = {"similar_past_successes": [], "similar_past_failures": []}
    for past in request.past_plans:
        key = "similar_past_successes" if past.outcome == "success" else "similar_past_failures"
        lines[key].append(
            {
                "request": past.request,
                "similarity": past.similarity,
                "steps": [{"tool": s.action, "inputs": s.inputs} for s in past.plan.steps],
                "review": past.review,
                "user_rating": past.rating,
            }
        )
    return {key: value for key, value in lines.items() if value}


def _context_sources(request: PlanRequest) -> list[str]:
    if request.past_plans:
        return [past.memory_id for past in request.past_plans]
    return [f"memory:{plan.plan_id}" for plan in request.similar_plans]


@dataclass
class LLMBrain:
    """A brain whose roles are models behind the router; the offline brain fills gaps."""

    router: LLMRouter
    fallback: Brain = field(default_factory=OfflineBrain)

    @property
    def name(self) -> str:
        """`llm:` and the planner's first model, e.g. `llm:local:gpt-4o-mini`."""
        models = self.router.settings.models_for(Tier.PLANNER)
        return f"llm:{models[0]}" if models else self.fallback.name

    def _scope(self, agent: str, task: Task, subtask: Subtask | None = None) -> CallScope:
        limits = task.constraints
        return CallScope(
            agent=agent,
            task_id=task.task_id,
            subtask_id=subtask.subtask_id if subtask else None,
            task_budget=Budget(max_cost_usd=limits.max_cost, max_tokens=limits.max_tokens),
        )

    async def _ask(
        self,
        tier: Tier,
        prompt: Prompt,
        user: str,
        output_type: type[T],
        scope: CallScope,
        on_text: TextListener | None = None,
    ) -> LLMReply[T] | None:
        """The tier's reply, or None when every model failed and the offline brain takes over."""
        try:
            return await self.router.run(tier, prompt, user, output_type, scope, on_text=on_text)
        except ModelUnavailable as error:
            if not self.router.settings.offline_fallback or scope.task_id is None:
                raise
            await asyncio.to_thread(
                self.router.store.events.append,
                task_id=scope.task_id,
                run_id=scope.run_id,
                type=FELL_BACK,
                payload={
                    "agent": scope.agent,
                    "tier": tier.value,
                    "subtask_id": scope.subtask_id,
                    "brain": self.fallback.name,
                    "reason": str(error)[:1000],
                },
                dedup_key=f"fallback/{uuid.uuid4().hex}",
            )
            return None

    async def decompose(self, task: Task, tools: list[ToolSpec]) -> SubtaskGraph:
        """Subtasks from the decomposer tier."""
        if not self.router.serves(Tier.DECOMPOSER):
            return await self.fallback.decompose(task, tools)
        user = _dumps(
            {
                "task": task.description,
                "context": task.context,
                "tools": [{"name": t.name, "description": t.description} for t in tools],
            }
        )
        reply = await self._ask(
            Tier.DECOMPOSER, DECOMPOSE, user, DraftDecomposition, self._scope("decomposer", task)
        )
        if reply is None:
            return await self.fallback.decompose(task, tools)
        known = {t.name for t in tools}
        return SubtaskGraph(
            task_id=task.task_id,
            subtasks=[
                Subtask(
                    subtask_id=draft.id,
                    description=draft.description,
                    dependencies=draft.dependencies,
                    tool_hints=[hint for hint in draft.tool_hints if hint in known],
                )
                for draft in reply.output.subtasks
            ],
        )

    async def plan(self, request: PlanRequest) -> PlanningResult:
        """A plan, or a tool-gap report, from the planner tier."""
        if not self.router.serves(Tier.PLANNER):
            return await self.fallback.plan(request)
        task, subtask = request.task, request.subtask
        user = _dumps(
            {
                "task": task.description,
                "subtask": subtask.description,
                "tool_hints": subtask.tool_hints,
                "iteration": request.iteration,
                "feedback": request.feedback,
                "answers_of_earlier_subtasks": request.upstream_answers,
                **_memory_context(request),
                **(
                    {"learned_guidance": [g.text for g in request.guidance]}
                    if request.guidance
                    else {}
                ),
                "tools": _tool_lines(request.tools),
            }
        )
        prompt = PLAN
        if request.prompt is not None:  # a version from `office prompts`
            prompt = Prompt(PLAN.id, request.prompt.version, request.prompt.text)
        reply = await self._ask(
            Tier.PLANNER, prompt, user, DraftPlan, self._scope("planner", task, subtask)
        )
        if reply is None:
            return await self.fallback.plan(request)
        draft = reply.output
        if draft.gap is not None:
            return PlanningResult(
                gap=ToolGapReport(
                    task_id=task.task_id,
                    subtask_id=subtask.subtask_id,
                    request=subtask.description,
                    missing_capabilities=draft.gap.missing_capabilities,
                    available_tools=[t.name for t in request.tools],
                    planner=f"llm:{reply.model}",
                    suggestion=draft.gap.suggestion,
                    missing_tools=draft.gap.missing_tools,
                    existing_tools_checked=[t.name for t in request.tools],
                    proposed_mcp_server=draft.gap.proposed_mcp_server,
                )
            )
        plan_id = f"p-{subtask.subtask_id}-{request.iteration}-{task.task_id[:8]}"
        return PlanningResult(
            plan=Plan(
                plan_id=plan_id,
                task_id=task.task_id,
                subtask_id=subtask.subtask_id,
                confidence=draft.confidence,
                metadata=PlanMetadata(
                    required_tools=sorted({step.tool for step in draft.steps}),
                    model_used=str(reply.model),
                    context_sources=[f"guidance:{g.guidance_id}" for g in request.guidance]
                    + _context_sources(request),
                    estimated_cost_tokens=reply.input_tokens + reply.output_tokens,
                ),
                steps=[
                    Step(
                        step_id=step.id,
                        action=step.tool,
                        inputs=step.inputs,
                        dependencies=step.dependencies,
                        timeout_seconds=step.timeout_seconds,
                        when=step.when or None,
                        for_each=step.for_each or None,
                        if_dependency_skipped=step.if_dependency_skipped,
                    )
                    for step in draft.steps
                ],
            )
        )

    async def check_plan(self, request: PlanCheckRequest) -> list[str]:
        """Problems the validator tier sees in the plan ([] without a validator model)."""
        if not self.router.serves(Tier.VALIDATOR):
            return await self.fallback.check_plan(request)
        user = _dumps(
            {
                "task": request.task.description,
                "subtask": request.subtask.description,
                "plan": [
                    {"id": s.step_id, "tool": s.action, "inputs": s.inputs, "after": s.dependencies}
                    for s in request.plan.steps
                ],
                "tools": [{"name": t.name, "description": t.description} for t in request.tools],
            }
        )
        scope = self._scope("validator", request.task, request.subtask)
        reply = await self._ask(Tier.VALIDATOR, CHECK_PLAN, user, DraftCheck, scope)
        if reply is None:
            return await self.fallback.check_plan(request)
        return [problem for problem in reply.output.problems if problem.strip()]

    async def review(self, request: ReviewRequest) -> ReviewResult:
        """The reviewer tier's decision, and the answer when it approves."""
        if not self.router.serves(Tier.REVIEWER):
            return await self.fallback.review(request)
        user = _dumps(
            {
                "task": request.task.description,
                "subtask": request.subtask.description,
                "iteration": request.iteration,
                "steps": [
                    {
                        "id": step.step_id,
                        "status": step.status.value,
                        "calls": [
                            {
                                "tool": call.tool,
                                "arguments": call.arguments,
                                "result": _clip(call.result),
                                "error": call.error,
                            }
                            for call in step.tool_calls
                        ],
                        "errors": step.errors,
                    }
                    for step in request.execution.steps
                ],
                "acceptance_criteria": [
                    c.value for c in request.task.criteria if c.kind is CriterionKind.TEXT
                ],
            }
        )
        scope = self._scope("reviewer", request.task, request.subtask)
        stream = AnswerStream(self.router.store, scope, json_field="answer")
        reply = await self._ask(Tier.REVIEWER, REVIEW, user, DraftReview, scope, stream)
        if reply is None:
            return await self.fallback.review(request)
        draft = reply.output
        review = Review(
            plan_id=request.plan.plan_id,
            decision=ReviewDecision(draft.decision),
            feedback=draft.feedback,
            scores=ReviewScores(
                completeness=draft.completeness,
                accuracy=draft.accuracy,
                quality=draft.quality,
                safety=1.0,
            ),
            criteria=_judged_criteria(request, draft),
        )
        answer = draft.answer if review.decision is ReviewDecision.APPROVE else ""
        return ReviewResult(review=review, answer=_with_unresolved_calls(answer, request))

    async def synthesize(self, request: SynthesisRequest) -> str:
        """One subtask's answer as it is; several combined by the synthesizer tier."""
        if len(request.answers) == 1 or not self.router.serves(Tier.SYNTHESIZER):
            return await self.fallback.synthesize(request)
        user = _dumps(
            {
                "task": request.task.description,
                "subtasks": [item.model_dump(mode="json") for item in request.answers],
            }
        )
        scope = self._scope("synthesizer", request.task)
        stream = AnswerStream(self.router.store, scope)
        reply = await self._ask(Tier.SYNTHESIZER, SYNTHESIZE, user, str, scope, stream)
        if reply is None:
            return await self.fallback.synthesize(request)
        return reply.output


def _with_unresolved_calls(answer: str, request: ReviewRequest) -> str:
    """An approved answer that a trace found no chain, with the calls it could not follow.

    A model may write "there is no call path" from a `trace_calls` result that found none
    while calls on the way could not be resolved; unless the answer says so, the sentence
    naming those calls is added, so that no "no" is approved stronger than the evidence.
    """
    if not answer or UNRESOLVED_MARK in answer:
        return answer
    for step in request.execution.steps:
        for call in step.tool_calls:
            result = call.result
            if call.tool != "trace_calls" or not isinstance(result, dict) or result.get("found"):
                continue
            sentence = unresolved_sentence(result)
            if sentence:
                note = "no path was found only through statically resolvable calls"
                return f"{answer.rstrip()}\n\nNote: {note}; {sentence}."
    return answer


def _judged_criteria(request: ReviewRequest, draft: DraftReview) -> list[CriterionResult]:
    """The model's verdict on each text criterion it judged (machine checks are computed)."""
    verdicts = {" ".join(item.criterion.split()).lower(): item for item in draft.criteria}
    judged = []
    for criterion in request.task.criteria:
        if criterion.kind is not CriterionKind.TEXT:
            continue
        item = verdicts.get(" ".join(criterion.value.split()).lower())
        if item is not None:
            judged.append(
                CriterionResult(
                    criterion=criterion,
                    passed=item.passed,
                    score=1.0 if item.passed else 0.0,
                    detail=item.reason,
                    judged_by="reviewer model",
                )
            )
    return judged
