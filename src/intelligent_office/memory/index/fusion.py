"""Hybrid ranking: reciprocal rank fusion of the vector and keyword rankings, plus recency.

RRF (Cormack et al., 2009) adds 1 / (60 + rank) over the rankings an item appears in, so
neither the distances nor BM25's unbounded scores need calibrating against each other.
Recency adds up to `recency_weight` of a first place, halving every `half_life_days`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from intelligent_office.memory.index.base import Ranked

__all__ = ["RRF_K", "fuse"]

RRF_K = 60


def fuse(
    rankings: Sequence[Sequence[Ranked]],
    *,
    created: Mapping[int, datetime] | None = None,
    now: datetime | None = None,
    recency_weight: float = 0.0,
    half_life_days: float = 30.0,
) -> list[tuple[int, float]]:
    """Item ids with fused scores, best first (ties by id, so the order is stable)."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, ranked in enumerate(ranking, start=1):
            scores[ranked.item_id] = scores.get(ranked.item_id, 0.0) + 1.0 / (RRF_K + rank)
    if recency_weight and created and now is not None:
        first_place = 1.0 / (RRF_K + 1)
        for item_id in scores:
            moment = created.get(item_id)
            if moment is None:
                continue
            age_days = max(0.0, (now - moment).total_seconds() / 86400)
            scores[item_id] += recency_weight * first_place * 0.5 ** (age_days / half_life_days)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
