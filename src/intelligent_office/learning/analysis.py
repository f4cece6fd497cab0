"""`office learn`: find the causes of recent failures and turn each into planner guidance."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from intelligent_office.learning.causes import Cause, find_causes
from intelligent_office.learning.diagnose import diagnose
from intelligent_office.learning.guidance_store import (
    ENABLED,
    PROPOSED,
    GuidanceRecord,
    GuidanceRepository,
)
from intelligent_office.learning.settings import LearningSettings
from intelligent_office.store import Store

__all__ = ["LearnReport", "learn", "propose_candidate"]


@dataclass
class LearnReport:
    """The causes found and the guidance each became."""

    causes: list[Cause] = field(default_factory=list)
    guidance: dict[str, GuidanceRecord] = field(default_factory=dict)
    """cause key -> its guidance."""
    created: list[str] = field(default_factory=list)
    """Ids of guidance new in this run."""


def learn(store: Store, settings: LearningSettings | None = None) -> LearnReport:
    """Group dead letters and poor ratings by cause, and store guidance for each cause."""
    settings = settings or LearningSettings()
    repository = GuidanceRepository(store.engine)
    report = LearnReport(causes=find_causes(store, max_rating=settings.max_rating))
    for cause in report.causes:
        advice = diagnose(cause)
        first = cause.first
        record, created = repository.upsert(
            cause=cause.key,
            text=advice.text,
            intent=first.intent,
            tool=advice.tool,
            adjustment=advice.adjustment,
            examples=sorted({failure.request for failure in cause.failures}),
            status=PROPOSED if settings.gate_guidance else ENABLED,
            evidence={
                "failures": cause.count,
                "sources": [failure.source for failure in cause.failures[:20]],
                "category": first.category,
                "error": first.error[:500],
            },
        )
        report.guidance[cause.key] = record
        if created:
            report.created.append(record.id)
    return report


def propose_candidate(store: Store) -> str | None:
    """An offline prompt version: the current rule set plus every proposed guidance; its id."""
    from intelligent_office.learning.prompt_versions import (
        OFFLINE,
        PromptVersionRepository,
        offline_guidance_ids,
    )

    versions = PromptVersionRepository(store.engine)
    repository = GuidanceRepository(store.engine)
    proposed = {record.id for record in repository.all(status=PROPOSED)}
    if not proposed:
        return None
    pinned = offline_guidance_ids(versions.current(OFFLINE).text)
    base = pinned if pinned is not None else {r.id for r in repository.all(status=ENABLED)}
    text = json.dumps({"guidance": sorted(base | proposed)})
    return versions.add_candidate(OFFLINE, text).id
