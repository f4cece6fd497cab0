"""The planning turn: ask the planner for a plan, and say what it planned with.

Deterministic workflow code. A plan is announced (`plan.created`, and `plan.reused` when
it came from memory) with the prompt versions and learned guidance it was planned with.
No plan settles the subtask as unsupported: the tool-gap report is recorded, and a
question back to the person (`subtask.clarification_requested`) when the planner has
one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import JsonValue

from intelligent_office.activities.messages import PlanInput
from intelligent_office.llm.base import PlanningResult
from intelligent_office.memory.base import PlanReuse
from intelligent_office.models import Plan
from intelligent_office.office.branches import branch_fields
from intelligent_office.office.calls import AgentCaller
from intelligent_office.office.contracts import IterationRecord, SubtaskOutcome, SubtaskStatus
from intelligent_office.office.turn import Turn, iteration_scope

__all__ = ["PlanningTurn"]


@dataclass
class PlanningTurn:
    """Plans one iteration of a subtask."""

    call: AgentCaller
    reused: dict[str, PlanReuse] = field(default_factory=dict)
    """Subtasks whose plan came from memory, and where from."""

    async def _emit(self, event_type: str, key: str, **payload: JsonValue) -> None:
        await self.call.runtime.emit(event_type, payload, key=key)

    async def plan(
        self,
        outcome: SubtaskOutcome,
        record: IterationRecord,
        feedback: list[str],
        upstream_answers: dict[str, str],
    ) -> Turn | Plan:
        """The iteration's plan (also kept on `record`), or how the turn ended without one."""
        subtask, iteration = outcome.subtask, record.iteration
        sid = subtask.subtask_id
        prefix, scope = iteration_scope(sid, iteration)
        planning = await self.call(
            f"{prefix}plan",
            self.call.agents.plan,
            PlanInput(
                task=self.call.office_input.task,
                subtask=subtask,
                iteration=iteration,
                feedback=list(feedback),
                upstream_answers=upstream_answers,
            ),
        )
        if planning.plan is None:
            return await self._unplanned(outcome, planning, prefix, scope)
        plan = record.plan = planning.plan
        if planning.reused is not None:
            self.reused[sid] = planning.reused
            await self._emit(
                "plan.reused",
                f"{prefix}plan/reused",
                **scope,
                plan_id=plan.plan_id,
                source=planning.reused.model_dump(mode="json"),
            )
        await self._learned(planning, prefix, scope)
        await self._emit(
            "plan.created",
            f"{prefix}plan/created",
            **scope,
            plan_id=plan.plan_id,
            confidence=plan.confidence,
            model=plan.metadata.model_used,
            steps=[
                {
                    "step_id": step.step_id,
                    "action": step.action,
                    "inputs": step.inputs,
                    "dependencies": list(step.dependencies),
                    **branch_fields(step),
                }
                for step in plan.steps
            ],
        )
        return plan

    async def _learned(
        self, planning: PlanningResult, prefix: str, scope: dict[str, JsonValue]
    ) -> None:
        """Record the prompt versions planned with and the learned guidance followed."""
        if planning.prompt_versions:
            sid = scope["subtask_id"]
            versions: dict[str, JsonValue] = dict(planning.prompt_versions)
            await self._emit("prompt.version", f"subtask/{sid}/prompt/version", versions=versions)
        if planning.guidance:
            used: list[JsonValue] = [
                {"id": g.guidance_id, "text": g.text, "similarity": g.similarity}
                for g in planning.guidance
            ]
            plan_id = planning.plan.plan_id if planning.plan else None
            await self._emit(
                "guidance.used", f"{prefix}guidance/used", **scope, plan_id=plan_id, guidance=used
            )

    async def _unplanned(
        self,
        outcome: SubtaskOutcome,
        planning: PlanningResult,
        prefix: str,
        scope: dict[str, JsonValue],
    ) -> Turn:
        """No plan: the tool-gap report (or a question back) settles the subtask."""
        outcome.gap = planning.gap
        if planning.gap is not None:
            await self.call(f"{prefix}gap", self.call.agents.record_gap, planning.gap)
        if planning.gap is not None and planning.gap.proposed_request:
            await self._emit(
                "subtask.clarification_requested",
                f"{prefix}clarification",
                **scope,
                understood=planning.gap.suggestion,
                proposed_request=planning.gap.proposed_request,
            )
        return Turn(settled=SubtaskStatus.UNSUPPORTED)
