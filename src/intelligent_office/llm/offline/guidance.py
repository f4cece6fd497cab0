"""Guidance the offline planner can act on: each adjustment kind is one small rule.

`root_at_src`: a code analysis rooted at a package directory that is really under
`src/` (a src layout) is rooted there instead. `start_at_strategy`: begin with a later
strategy of the intent, the first one having failed for such requests. `use_tool`: a
request no rule understands is planned as one call of a tool built for it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import JsonValue

from intelligent_office.llm.base import PlanRequest
from intelligent_office.models import Step
from intelligent_office.models.guidance import Guidance

__all__ = ["ADJUSTMENTS", "adjust_steps", "guided_tool_steps"]

Strategy = list[Step]
_ROOTED = {"trace_calls", "find_function"}


def _workspace(request: PlanRequest) -> Path | None:
    raw = request.task.context.get("workspace")
    return Path(raw) if isinstance(raw, str) and raw else None


def src_root(workspace: Path, root: str) -> str | None:
    """Where `root` really is in a src layout: `proj/pkg` -> `proj/src/pkg`, or None."""
    relative = Path(root.strip("/") or ".")
    if (workspace / relative).exists() and not (workspace / relative / "src").is_dir():
        return None
    if (workspace / relative / "src").is_dir():
        return str(relative / "src")
    moved = relative.parent / "src" / relative.name
    return str(moved) if (workspace / moved).exists() else None


def _root_at_src(
    steps: Strategy, strategies: list[Strategy], guidance: Guidance, request: PlanRequest
) -> Strategy | None:
    workspace = _workspace(request)
    if workspace is None:
        return None
    changed = False
    adjusted = []
    for step in steps:
        root = step.inputs.get("root") if step.action in _ROOTED else None
        moved = src_root(workspace, root) if isinstance(root, str) else None
        if moved is not None:
            step = step.model_copy(update={"inputs": {**step.inputs, "root": moved}}, deep=True)
            changed = True
        adjusted.append(step)
    return adjusted if changed else None


def _start_at_strategy(
    steps: Strategy, strategies: list[Strategy], guidance: Guidance, request: PlanRequest
) -> Strategy | None:
    start = guidance.adjustment.get("index")
    if not isinstance(start, int) or not 0 < start < len(strategies):
        return None
    # The guided start, then on through the rest as feedback comes back.
    position = min(start + request.iteration - 1, len(strategies) - 1)
    return strategies[position]


Adjustment = Callable[[Strategy, list[Strategy], Guidance, PlanRequest], Strategy | None]

ADJUSTMENTS: dict[str, Adjustment] = {
    "root_at_src": _root_at_src,
    "start_at_strategy": _start_at_strategy,
}


def adjust_steps(
    steps: Strategy, strategies: list[Strategy], request: PlanRequest, intent: str
) -> tuple[Strategy, list[str]]:
    """The steps after every applicable guidance, and the ids of the guidance applied."""
    used: list[str] = []
    for guidance in request.guidance:
        if guidance.intent not in (None, intent):
            continue
        rule = ADJUSTMENTS.get(str(guidance.adjustment.get("kind")))
        adjusted = rule(steps, strategies, guidance, request) if rule else None
        if adjusted is not None:
            steps = adjusted
            used.append(guidance.guidance_id)
    return steps, used


def guided_tool_steps(request: PlanRequest) -> tuple[Strategy, str] | None:
    """One call of the tool a `use_tool` guidance names, if that tool is at hand."""
    available = {spec.name for spec in request.tools}
    for guidance in request.guidance:
        adjustment = guidance.adjustment
        tool = adjustment.get("tool")
        if adjustment.get("kind") != "use_tool" or tool not in available:
            continue
        raw = adjustment.get("inputs")
        inputs: dict[str, JsonValue] = dict(raw) if isinstance(raw, dict) else {}
        step = Step(step_id="call", action=str(tool), inputs=inputs, timeout_seconds=60)
        return [step], guidance.guidance_id
    return None
