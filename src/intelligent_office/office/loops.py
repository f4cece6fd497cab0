"""Loop detection in one subtask: the same plan, or the same tool call, over and over.

Deterministic workflow code. A planner that answers every revision with the plan it
already tried, or plans that keep making the same tool call with the same arguments,
will not get anywhere: after `repeats` times the subtask stops with a clear reason
(dead-letter category `loop`) instead of spending its remaining iterations.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from pydantic import JsonValue

from intelligent_office.models import ExecutionResult, Plan

__all__ = ["LoopGuard"]


def _canonical(value: JsonValue) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _ids(values: list[str]) -> list[JsonValue]:
    return [*sorted(values)]


def _plan_signature(plan: Plan) -> str:
    """The plan's steps as they act, without ids the planner renumbers."""
    return _canonical(
        [
            [step.action, step.inputs, _ids(step.dependencies), step.when, step.for_each]
            for step in plan.steps
        ]
    )


@dataclass
class LoopGuard:
    """Counts the plans and tool calls of one subtask."""

    repeats: int
    plans: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)

    def plan_repeated(self, plan: Plan) -> str | None:
        """Count the plan; the reason to stop when it came `repeats` times."""
        signature = _plan_signature(plan)
        self.plans[signature] += 1
        if self.plans[signature] < self.repeats:
            return None
        return (
            f"loop: the planner proposed the same plan {self.plans[signature]} times"
            " despite the feedback; stopped"
        )

    def calls_repeated(self, execution: ExecutionResult) -> str | None:
        """Count the execution's tool calls; the reason to stop when one came `repeats` times."""
        for step in execution.steps:
            for call in step.tool_calls:
                self.calls[_canonical([call.tool, call.arguments])] += 1
        worst = max(self.calls.items(), key=lambda item: item[1], default=None)
        if worst is None or worst[1] < self.repeats:
            return None
        tool, arguments = json.loads(worst[0])
        return (
            f"loop: {tool} was called with the same arguments {worst[1]} times"
            f" ({_canonical(arguments)[:200]}); stopped"
        )
