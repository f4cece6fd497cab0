"""When a remembered plan may run again as it is, and how it is adapted to the new subtask.

A plan is reused only if the requests are near-identical (cosine similarity at least
`reuse_threshold`), its record is good (`reuse_score`), it ran in the same workspace,
every tool it calls still exists and is allowed, and it is *grounded*: every argument it
took from the old request's words is in the new request too — "Calculate 2 + 3" and
"Calculate 2 + 4" are near-identical sentences, but the plan for one is wrong for the other.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterator

from pydantic import JsonValue

from intelligent_office.memory.base import PastPlan, PlanReuse
from intelligent_office.memory.settings import MemorySettings
from intelligent_office.models import Plan, Subtask, Task

__all__ = [
    "REUSED_MODEL",
    "adapt_plan",
    "fingerprint",
    "grounded",
    "reuse_blocker",
    "reuse_of",
    "reuse_score",
]

REUSED_MODEL = "memory"
"""The `model_used` of a reused plan: shown wherever a model name is."""

_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}|\d+(?:\.\d+)?")


def fingerprint(plan: Plan) -> str:
    """The same hex digest for every plan with the same steps, whatever its ids and task."""
    steps = [
        {"id": s.step_id, "action": s.action, "inputs": s.inputs, "after": sorted(s.dependencies)}
        for s in plan.steps
    ]
    canonical = json.dumps(steps, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def reuse_score(successes: int, failures: int, ratings: Collection[int]) -> float:
    """Laplace-smoothed success rate, a rating of r counting (r-1)/4 of a success.

    One success, unrated: 2/3. A failure, or a rating of 1, pulls it to 1/2.
    """
    good = successes + sum((r - 1) / 4 for r in ratings)
    total = successes + failures + len(ratings)
    return (good + 1) / (total + 2)


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def _strings(value: JsonValue) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float):
        yield str(value)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def grounded(plan: Plan, old_request: str, new_request: str) -> bool:
    """Whether every argument (and word of one) taken from the old request is in the new one."""
    old, new = _normal(old_request), _normal(new_request)
    new_tokens = {t.lower() for t in _TOKEN.findall(new_request)}
    old_tokens = {t.lower() for t in _TOKEN.findall(old_request)}
    for step in plan.steps:
        for value in _strings(step.inputs):
            text = _normal(value)
            if text and text in old and text not in new:
                return False
            for token in _TOKEN.findall(value):
                word = token.lower()
                if word in old_tokens and word not in new_tokens:
                    return False
    return True


def reuse_blocker(
    match: PastPlan,
    task: Task,
    subtask: Subtask,
    *,
    workspace: str | None,
    tools: Collection[str],
    settings: MemorySettings,
) -> str | None:
    """Why this success may not be reused as it is, or None when it may."""
    if not settings.reuse:
        return "reuse is switched off (memory.reuse)"
    if match.outcome != "success":
        return "it failed"
    if match.similarity < settings.reuse_threshold:
        return f"similarity {match.similarity:.3f} < {settings.reuse_threshold}"
    if match.reuse_score < settings.reuse_min_score:
        return f"reuse score {match.reuse_score:.2f} < {settings.reuse_min_score}"
    if workspace != task.context.get("workspace"):
        return "it ran in another workspace"
    allowed = task.constraints.allowed_tools
    for step in match.plan.steps:
        if step.action not in tools:
            return f"tool {step.action} no longer exists"
        if allowed is not None and step.action not in allowed:
            return f"tool {step.action} is not allowed for this task"
    if not grounded(match.plan, match.request, subtask.description):
        return "its arguments do not all appear in the new request"
    return None


def adapt_plan(match: PastPlan, task: Task, subtask: Subtask, iteration: int) -> Plan:
    """The remembered plan, as a new plan for this subtask (new ids, labelled `memory`)."""
    source = match.plan
    metadata = source.metadata.model_copy(
        update={
            "model_used": REUSED_MODEL,
            "context_sources": [match.memory_id, f"task:{match.task_id}"],
        }
    )
    return Plan(
        plan_id=f"{subtask.subtask_id}-plan-{iteration}-memory",
        task_id=task.task_id,
        subtask_id=subtask.subtask_id,
        confidence=source.confidence,
        metadata=metadata,
        steps=[step.model_copy(update={"idempotency_key": None}) for step in source.steps],
    )


def reuse_of(match: PastPlan) -> PlanReuse:
    """Where the reused plan came from."""
    return PlanReuse(
        memory_id=match.memory_id,
        task_id=match.task_id,
        plan_id=match.plan.plan_id,
        similarity=round(match.similarity, 4),
        reuse_score=round(match.reuse_score, 4),
    )
