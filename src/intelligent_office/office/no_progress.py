"""The stall and loop turns: what ends an iteration that makes no progress.

Deterministic workflow code. A stalled step gets one alternative plan, then a person
decides (an escalation; office/stall.py counts the stalls); the same plan or tool call
over and over stops the loop (office/loops.py), with a `loop.detected` event.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import JsonValue

from intelligent_office.office.calls import AgentCaller
from intelligent_office.office.contracts import DeadLetterCategory
from intelligent_office.office.loops import LoopGuard
from intelligent_office.office.stall import StallTracker
from intelligent_office.office.turn import Turn

__all__ = ["NoProgress"]


@dataclass
class NoProgress:
    """Each subtask's plans, tool calls and stalls so far, and the turns they end."""

    call: AgentCaller
    loops: dict[str, LoopGuard] = field(default_factory=dict)
    """Each subtask's plans and tool calls so far, to stop loops."""
    stalls: dict[str, StallTracker] = field(default_factory=dict)
    """Each subtask's stalled executions so far."""

    def loop_guard(self, sid: str) -> LoopGuard:
        """The loop guard of subtask `sid`."""
        repeats = self.call.office_input.loop_repeats
        return self.loops.setdefault(sid, LoopGuard(repeats=repeats))

    async def stop_loop(self, prefix: str, scope: dict[str, JsonValue], reason: str) -> Turn:
        """The loop repeats itself: stop it (category loop), with a `loop.detected` event."""
        await self.call.runtime.emit(
            "loop.detected", {**scope, "reason": reason}, key=f"{prefix}loop"
        )
        return Turn(category=DeadLetterCategory.LOOP, reason=reason, final=True)

    async def after_stall(
        self, prefix: str, scope: dict[str, JsonValue], stalled: list[str], feedback: list[str]
    ) -> Turn:
        """A stalled execution: ask for another plan once, then ask a person."""
        iteration = scope["iteration"]
        reason = f"step {', '.join(stalled)} stalled: no progress past its timeout plus grace"
        tracker = self.stalls.setdefault(str(scope["subtask_id"]), StallTracker())
        if tracker.record() and iteration != self.call.office_input.max_iterations:
            await self.call.runtime.emit(
                "stall.replanning", {**scope, "reason": reason}, key=f"{prefix}stall/replanning"
            )
            feedback.append(
                f"iteration {iteration}: {reason}; plan an alternative that avoids that call"
            )
            return Turn(category=DeadLetterCategory.STALLED, reason=reason)
        return await self._escalate_stall(prefix, scope, reason, feedback)

    async def _escalate_stall(
        self, prefix: str, scope: dict[str, JsonValue], reason: str, feedback: list[str]
    ) -> Turn:
        """The subtask stalled again after a re-plan: a person decides (an escalation).

        Accepting it, or asking for a revision with advice for the planner, tries once more
        while iterations remain; failing it, or no answer in time, dead-letters the task
        (category `stalled`).
        """
        await self.call.runtime.emit(
            "stall.escalated", {**scope, "reason": reason}, key=f"{prefix}stall/escalated"
        )
        sid, iteration = str(scope["subtask_id"]), int(str(scope["iteration"]))
        question = f"{reason}, after an alternative plan: try again (with advice) or fail it?"
        human = await self.call.approval(
            f"{prefix}stall/escalate",
            kind="escalation",
            subject=f"subtask {sid}, iteration {iteration}: {question}",
            detail={
                "subtask_id": sid,
                "iteration": iteration,
                "question": question,
                "answer": "",
                "outputs": [],
            },
        )
        again = human.status in ("approved", "revised")
        if again and iteration < self.call.office_input.max_iterations:
            said = human.comment or "try again"
            feedback.append(f"iteration {iteration}: {reason}; a person said: {said}")
            return Turn(category=DeadLetterCategory.STALLED, reason=f"{reason}; {said}")
        if human.status == "expired":
            ended = "nobody answered in time"
        elif again:
            ended = "no iteration left to try again"
        else:
            ended = f"failed by {human.by or 'a person'}: {human.comment or 'no reason given'}"
        return Turn(
            category=DeadLetterCategory.STALLED,
            reason=f"escalated after a re-plan: {reason}; {ended}",
            final=True,
        )
