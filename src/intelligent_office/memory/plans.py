"""Plan memory: every finished subtask's plans and outcomes, recalled when planning.

Records are stored without a vector (the Office loop never waits for a model to load
just to remember); they are embedded before the next recall. A recall on an empty
memory embeds nothing at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from intelligent_office.memory.base import (
    PastPlan,
    PlanRecall,
    SubtaskMemory,
)
from intelligent_office.memory.feedback import FeedbackMemory, ratings_by_fingerprint
from intelligent_office.memory.index import Scope
from intelligent_office.memory.items import ItemKind, MemoryItem, NewItem
from intelligent_office.memory.reuse import fingerprint, reuse_blocker, reuse_score
from intelligent_office.memory.search import Hit, MemorySearch
from intelligent_office.memory.settings import MemorySettings
from intelligent_office.models import Plan, Subtask, Task
from intelligent_office.store import Store

__all__ = ["PlanMemory", "tenant_of"]


def tenant_of(task: Task) -> str:
    """Whose memory a task reads and writes: its user's."""
    return task.user_id or "local"


@dataclass
class _Track:
    """Every run of one plan (same fingerprint)."""

    successes: int = 0
    failures: int = 0


class PlanMemory:
    """The Office's plan memory on the SQL store (implements `PlanRetriever`)."""

    def __init__(self, search: MemorySearch, store: Store, settings: MemorySettings) -> None:
        self.search = search
        self.store = store
        self.settings = settings
        self.feedback = FeedbackMemory(search)
        self.last_blocker: str | None = None
        """Why the best match of the last recall was not reusable (for logs and tests)."""

    async def remember(self, record: SubtaskMemory) -> None:
        """Store one item per plan the subtask tried (once, however often it is called)."""
        await asyncio.to_thread(self._remember, record)

    async def recall(self, task: Task, subtask: Subtask, *, tools: Collection[str]) -> PlanRecall:
        """The top-k similar successes and failures, and a reusable plan if there is one."""
        return await asyncio.to_thread(self._recall, task, subtask, set(tools))

    def _remember(self, record: SubtaskMemory) -> None:
        task, subtask = record.task, record.subtask
        tenant, source = tenant_of(task), f"task/{task.task_id}/{subtask.subtask_id}"
        if self.search.items.by_source(tenant, ItemKind.PLAN, source):
            return  # a replayed activity: already remembered
        now = datetime.now(UTC)
        calls = [
            call
            for call in self.store.llm_calls.for_task(task.task_id)
            if call.subtask_id == subtask.subtask_id
        ]
        cost = {
            "cost_usd": round(sum(c.cost_usd for c in calls), 6),
            "tokens": sum(c.input_tokens + c.output_tokens for c in calls),
            "llm_calls": len(calls),
        }
        last = len(record.attempts) - 1
        items = []
        for position, attempt in enumerate(record.attempts):
            data: dict[str, Any] = {
                "outcome": attempt.outcome,
                "plan": attempt.plan.model_dump(mode="json"),
                "review": attempt.review.model_dump(mode="json") if attempt.review else None,
                "reasons": attempt.reasons,
                "workspace": task.context.get("workspace"),
                "subtask_status": record.status,
                "tools": sorted({step.action for step in attempt.plan.steps}),
            }
            if position == last:
                data |= {
                    "answer": record.answer,
                    "failure_reason": record.failure_reason,
                    "duration_seconds": round((now - record.started_at).total_seconds(), 3),
                    "iterations": len(record.attempts),
                    "reused": record.reused.model_dump(mode="json") if record.reused else None,
                    **cost,
                }
            items.append(
                NewItem(
                    tenant=tenant,
                    kind=ItemKind.PLAN,
                    source=source,
                    position=position,
                    title=task.description,
                    text=subtask.description,
                    created_at=now,
                    fingerprint=fingerprint(attempt.plan),
                    task_id=task.task_id,
                    data=data,
                )
            )
        if items:
            self.search.add(items, embed=False)

    def _recall(self, task: Task, subtask: Subtask, tools: set[str]) -> PlanRecall:
        tenant = tenant_of(task)
        if self.search.items.count(tenant, ItemKind.PLAN) == 0:
            return PlanRecall()
        self.feedback.sync()
        self.search.index_pending()
        top_k = self.settings.top_k
        vector = self.search.embed_query(subtask.description)
        hits = [
            hit
            for hit in self.search.nearest(vector, Scope(tenant, (ItemKind.PLAN,)), top_k * 6)
            if hit.item.task_id != task.task_id
        ]
        matches = self._matches(tenant, hits)
        successes = [m for m in matches if m.outcome == "success"]
        failures = [m for m in matches if m.outcome == "failure"]
        recall = PlanRecall(successes=successes[:top_k], failures=failures[:top_k])
        self.last_blocker = None
        for candidate in successes[:1]:
            workspace = self._workspace(candidate)
            blocker = reuse_blocker(
                candidate,
                task,
                subtask,
                workspace=workspace,
                tools=tools,
                settings=self.settings,
            )
            self.last_blocker = blocker
            if blocker is None:
                recall.reusable = candidate
        return recall

    def _workspace(self, match: PastPlan) -> str | None:
        item_id = int(match.memory_id.removeprefix("plan:"))
        item = self.search.items.get([item_id]).get(item_id)
        workspace = item.data.get("workspace") if item else None
        return workspace if isinstance(workspace, str) else None

    def _matches(self, tenant: str, hits: list[Hit]) -> list[PastPlan]:
        """One match per distinct plan and outcome, most similar first, with reuse scores."""
        prints = {hit.item.fingerprint for hit in hits if hit.item.fingerprint}
        outcomes = self.search.items.outcomes(tenant, prints)
        ratings = ratings_by_fingerprint(self.store.engine, tenant, prints)
        seen: set[tuple[str, str]] = set()
        matches: list[PastPlan] = []
        for hit in sorted(hits, key=lambda h: -(h.similarity or 0.0)):
            item = hit.item
            outcome = "success" if item.data.get("outcome") == "success" else "failure"
            key = (item.fingerprint or str(item.id), outcome)
            if key in seen:
                continue
            seen.add(key)
            successes, failures = outcomes.get(item.fingerprint or "", (0, 0))
            track = _Track(successes=successes, failures=failures)
            given = ratings.get(item.fingerprint or "", [])
            matches.append(_past_plan(item, hit, outcome, track, given))
        return matches


def _past_plan(
    item: MemoryItem, hit: Hit, outcome: str, track: _Track, ratings: list[int]
) -> PastPlan:
    review = item.data.get("review") or {}
    reasons = item.data.get("reasons") or []
    words = str(review.get("feedback") or "") or "; ".join(str(r) for r in reasons)
    return PastPlan(
        memory_id=f"plan:{item.id}",
        task_id=item.task_id or "",
        request=item.text,
        outcome="success" if outcome == "success" else "failure",
        similarity=round(hit.similarity or 0.0, 4),
        plan=Plan.model_validate(item.data["plan"]),
        review=words,
        rating=round(sum(ratings) / len(ratings), 2) if ratings else None,
        reuse_score=round(reuse_score(track.successes, track.failures, ratings), 4),
        runs=track.successes + track.failures,
    )
