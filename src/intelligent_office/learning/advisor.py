"""The planner's adviser: the guidance and prompt version in effect for a subtask.

Guidance is retrieved like past plans: by how similar the request is to the failures
each piece came from (and whether it is the same kind of request). Which guidance and
which planner prompt are in effect is the current version of tiers `offline` and
`planner`, unless a version is pinned (the eval gate pins the candidate it measures).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from intelligent_office.learning.guidance_store import DISABLED, ENABLED, GuidanceRepository
from intelligent_office.learning.prompt_versions import (
    OFFLINE,
    PromptVersion,
    PromptVersionRepository,
    offline_guidance_ids,
)
from intelligent_office.learning.settings import LearningSettings
from intelligent_office.learning.similarity import similarity
from intelligent_office.llm.offline.intents import parse_intent
from intelligent_office.models import Plan, Subtask, Task
from intelligent_office.models.guidance import Guidance, PromptChoice
from intelligent_office.store import Store

__all__ = ["Advice", "PlanAdvisor"]


@dataclass
class Advice:
    """What the planner gets besides the subtask."""

    guidance: list[Guidance] = field(default_factory=list)
    prompt: PromptChoice | None = None
    versions: dict[str, str] = field(default_factory=dict)
    """tier -> the prompt version in effect, for the task's record."""


@dataclass
class PlanAdvisor:
    """Guidance and prompt versions from the store, for the Office's planner activity."""

    store: Store
    settings: LearningSettings = field(default_factory=LearningSettings)
    pins: dict[str, str] = field(default_factory=dict)
    """tier -> prompt version id to use instead of the tier's current one."""

    def __post_init__(self) -> None:
        self.guidance = GuidanceRepository(self.store.engine)
        self.versions = PromptVersionRepository(self.store.engine)

    def version(self, tier: str) -> PromptVersion:
        """The version in effect for a tier: the pinned one, else the current one."""
        pinned = self.pins.get(tier)
        return self.versions.require(pinned) if pinned else self.versions.current(tier)

    def advise(self, task: Task, subtask: Subtask) -> Advice:
        """The guidance for this subtask, most similar first, and the planner prompt."""
        offline = self.version(OFFLINE)
        planner = self.version("planner")
        pinned = offline_guidance_ids(offline.text)
        intent = parse_intent(subtask.description)
        kind = intent.kind.value if intent is not None else "unknown"
        found: list[Guidance] = []
        for record in self.guidance.all():
            if record.status == DISABLED:
                continue
            if (pinned is None and record.status != ENABLED) or (
                pinned is not None and record.id not in pinned
            ):
                continue
            score = max((similarity(subtask.description, e) for e in record.examples), default=0)
            same_kind = record.intent == kind and kind != "unknown"
            if score >= self.settings.min_similarity or (
                same_kind and score >= self.settings.same_intent_similarity
            ):
                found.append(record.contract(score))
        found.sort(key=lambda g: -g.similarity)
        prompt = planner.choice() if planner.version != 1 else None
        return Advice(
            guidance=found[: self.settings.top_k],
            prompt=prompt,
            versions={OFFLINE: offline.id, "planner": planner.id},
        )

    def used(self, advice: Advice, plan: Plan | None) -> list[Guidance]:
        """The guidance the plan says it followed (`guidance:<id>` in its context sources)."""
        if plan is None:
            return []
        sources = [s.removeprefix("guidance:") for s in plan.metadata.context_sources]
        given = {g.guidance_id: g for g in advice.guidance}
        used = [given[gid] for gid in sources if gid in given]
        self.guidance.count_use([g.guidance_id for g in used])
        return used
