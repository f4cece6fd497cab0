"""What the Office does about a stalled step: re-plan once, then escalate.

Deterministic workflow code. The worker abandons an activity with no progress past its
timeout plus grace (`runtime/stall.py`, a `run.stalled` event) and the scheduler retries
it as its policy allows (`node.retrying`). A step still stalled after that ends the
execution; the first time in a subtask the planner is asked for an alternative plan
(`stall.replanning`), the second time the subtask escalates (`stall.escalated`).
"""

from __future__ import annotations

from dataclasses import dataclass

from intelligent_office.errors import Stalled
from intelligent_office.models import ExecutionResult

__all__ = ["StallTracker", "stalled_steps"]

_MARK = f"{Stalled.__name__}:"


def stalled_steps(execution: ExecutionResult) -> list[str]:
    """`step_id (tool)` of each step whose last error was a stall."""
    return [
        f"{step.step_id} ({step.tool_calls[0].tool if step.tool_calls else 'unknown tool'})"
        for step in execution.steps
        if step.errors and step.errors[-1].startswith(_MARK)
    ]


@dataclass
class StallTracker:
    """How many executions of one subtask stalled; after `replans` of them, escalate."""

    replans: int = 1
    stalls: int = 0

    def record(self) -> bool:
        """Count a stalled execution; True when another plan may still be tried."""
        self.stalls += 1
        return self.stalls <= self.replans
