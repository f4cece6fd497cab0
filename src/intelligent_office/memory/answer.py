"""`office ask`: answers from memory, each claim with a numbered citation of its source.

The router picks where to look. Offline, the answer is extractive: the sentences of the
best chunks that answer the question (`extractive`), cited, or "I could not find this in
your documents" when none does. With a model for the
synthesizer tier, the model writes the answer from the same numbered sources and must
cite them; citations naming no source are refused.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Self

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intelligent_office.llm.budget import CallScope
from intelligent_office.llm.config import Tier
from intelligent_office.llm.offline.planner import OFFLINE
from intelligent_office.llm.prompts import Prompt
from intelligent_office.memory.extractive import NOT_FOUND, extract_answer
from intelligent_office.memory.index import Scope
from intelligent_office.memory.items import ItemKind, MemoryItem, location_of
from intelligent_office.memory.router import Route, RoutedQuery, route_question
from intelligent_office.memory.search import Hit, MemorySearch
from intelligent_office.store.tables import MemoryDocumentRow

if TYPE_CHECKING:
    from intelligent_office.llm.router import LLMRouter

__all__ = ["ASK", "AskResult", "Citation", "answer_question", "location_of"]

ASK = Prompt(
    "memory.ask",
    1,
    """You answer a question from numbered sources (passages of the user's documents).
Use only what the sources say. After each sentence cite the sources it rests on as [n].
If the sources do not answer the question, say so plainly and cite nothing.""",
)

_NOTHING = (
    f"{NOT_FOUND} Add documents with `office ingest PATH`, or ask about something they cover."
)
_LISTED = 20
"""Documents named in a "what did I ingest" answer; the count covers them all."""


class Citation(BaseModel):
    """A numbered source an answer cites."""

    number: int
    source: str
    location: str
    snippet: str


class AskResult(BaseModel):
    """An answer, where it came from, and what it cites."""

    question: str
    route: Route
    period: str | None = None
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    answered_by: str = OFFLINE


class _Draft(BaseModel):
    """The answer, citing sources by number."""

    answer: str = Field(min_length=1)
    cited: list[int] = Field(default_factory=list, description="Numbers of the sources cited.")


def _draft_type(sources: int) -> type[_Draft]:
    """A draft that only validates when every citation names one of `sources` sources.

    A draft that does not validate goes back to the model with the reason (output retries).
    """

    class Draft(_Draft):
        @model_validator(mode="after")
        def _cites_real_sources(self) -> Self:
            numbers = {int(n) for n in re.findall(r"\[(\d+)\]", self.answer)}
            self.cited = sorted(numbers | set(self.cited))
            wrong = [n for n in self.cited if not 1 <= n <= sources]
            if wrong:
                raise ValueError(f"cite only sources 1..{sources}; {wrong} do not exist")
            return self

    return Draft


@dataclass(frozen=True)
class _Source:
    number: int
    hit: Hit


def _citation(number: int, item: MemoryItem) -> Citation:
    snippet = " ".join(item.text.split())
    return Citation(
        number=number,
        source=item.source,
        location=location_of(item),
        snippet=snippet[:240] + ("..." if len(snippet) > 240 else ""),
    )


def _extract(search: MemorySearch, question: str, hits: list[Hit]) -> tuple[str, list[Citation]]:
    """The sentences that answer the question, each cited; or that the documents do not say."""
    embedder = getattr(search.embedder, "inner", search.embedder)  # sentences: not cached
    found = extract_answer(question, search.embed_query(question), hits, embedder)
    if not found.found:
        return NOT_FOUND, []
    numbers: dict[int, int] = {}
    parts = []
    for picked in found.sentences:
        number = numbers.setdefault(picked.rank, len(numbers) + 1)
        parts.append(f"{picked.text} [{number}]")
    citations = [_citation(number, hits[rank].item) for rank, number in numbers.items()]
    return " ".join(parts), citations


async def _synthesize(
    router: LLMRouter, question: str, hits: list[Hit]
) -> tuple[str, list[Citation], str]:
    sources = [_Source(number, hit) for number, hit in enumerate(hits, 1)]
    user = json.dumps(
        {
            "question": question,
            "sources": [
                {"n": s.number, "where": location_of(s.hit.item), "text": s.hit.item.text}
                for s in sources
            ],
        },
        ensure_ascii=False,
    )
    draft = _draft_type(len(sources))
    reply = await router.run(Tier.SYNTHESIZER, ASK, user, draft, CallScope(agent="ask"))
    known = {s.number: s for s in sources}
    citations = [_citation(n, known[n].hit.item) for n in reply.output.cited]
    return reply.output.answer, citations, f"llm:{reply.model}"


def _recent(search: MemorySearch, routed: RoutedQuery, tenant: str) -> AskResult:
    query = select(MemoryDocumentRow).where(MemoryDocumentRow.tenant == tenant)
    if routed.since is not None:
        query = query.where(MemoryDocumentRow.ingested_at >= routed.since)
    if routed.until is not None:
        query = query.where(MemoryDocumentRow.ingested_at < routed.until)
    with Session(search.engine) as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = list(
            session.scalars(query.order_by(MemoryDocumentRow.ingested_at.desc()).limit(_LISTED))
        )
    period = routed.period or "recently"
    if not rows:
        answer = f"You ingested no documents {period}."
        return AskResult(question=routed.question, route=routed.route, period=period, answer=answer)
    citations = [
        Citation(
            number=n,
            source=row.path,
            location=row.path,
            snippet=f"ingested {row.ingested_at:%Y-%m-%d %H:%M} UTC, {row.chunks} chunks",
        )
        for n, row in enumerate(rows, 1)
    ]
    listed = "; ".join(f"{row.path} [{n}]" for n, row in enumerate(rows, 1))
    more = f"; and {total - len(rows)} more" if total > len(rows) else ""
    answer = f"You ingested {total} document{'s' * (total != 1)} {period}: {listed}{more}."
    return AskResult(
        question=routed.question,
        route=routed.route,
        period=period,
        answer=answer,
        citations=citations,
    )


def _conversation(search: MemorySearch, routed: RoutedQuery, tenant: str) -> AskResult:
    scope = Scope(tenant, (ItemKind.PLAN, ItemKind.FEEDBACK), routed.since, routed.until)
    hits = search.search(routed.question, scope, k=12)
    seen: dict[str, MemoryItem] = {}
    for hit in hits:
        if hit.item.task_id and hit.item.task_id not in seen:
            seen[hit.item.task_id] = hit.item
    if not seen:
        answer = "I find no past task that matches. `office tasks` lists them all."
        return AskResult(question=routed.question, route=routed.route, answer=answer)
    parts, citations = [], []
    for number, (task_id, item) in enumerate(list(seen.items())[:3], 1):
        outcome = _outcome_of(search, task_id, tenant)
        parts.append(
            f"On {item.created_at:%Y-%m-%d} you asked “{item.title}”: {outcome} [{number}]"
        )
        citations.append(
            Citation(
                number=number,
                source=f"task:{task_id}",
                location=f"office show {task_id}",
                snippet=item.title[:240],
            )
        )
    return AskResult(
        question=routed.question,
        route=routed.route,
        period=routed.period,
        answer="\n".join(parts),
        citations=citations,
    )


def _outcome_of(search: MemorySearch, task_id: str, tenant: str) -> str:
    records = [
        item
        for item in search.items.recent(tenant=tenant, kinds=(ItemKind.PLAN,), limit=200)
        if item.task_id == task_id
    ]
    answers = [str(r.data.get("answer") or "") for r in records if r.data.get("answer")]
    if answers:
        text = " ".join(answers[0].split())
        return text[:300] + ("..." if len(text) > 300 else "")
    failed = [
        str(r.data.get("failure_reason") or "") for r in records if r.data.get("failure_reason")
    ]
    return f"it failed: {failed[0]}" if failed else "no answer was kept"


async def answer_question(
    search: MemorySearch,
    question: str,
    *,
    tenant: str,
    router: LLMRouter | None = None,
    top_k: int = 5,
    now: datetime | None = None,
) -> AskResult:
    """Route the question, search memory, and answer it with citations."""
    routed = route_question(question, now or datetime.now(UTC))
    if routed.route is Route.RECENT:
        return await asyncio.to_thread(_recent, search, routed, tenant)
    if routed.route is Route.CONVERSATION:
        await asyncio.to_thread(search.index_pending)
        return await asyncio.to_thread(_conversation, search, routed, tenant)
    scope = Scope(tenant, (ItemKind.DOCUMENT,), routed.since, routed.until)
    hits = await asyncio.to_thread(search.search, question, scope, top_k)
    result = AskResult(question=question, route=routed.route, period=routed.period, answer="")
    if not hits:
        result.answer = _NOTHING
        return result
    if router is not None and router.serves(Tier.SYNTHESIZER):
        answer, citations, model = await _synthesize(router, question, hits)
        result.answer, result.citations, result.answered_by = answer, citations, model
        return result
    result.answer, result.citations = await asyncio.to_thread(_extract, search, question, hits)
    return result
