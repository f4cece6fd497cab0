"""The Office's memory, built at the edge from settings and the store and passed down."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from intelligent_office.errors import UserError
from intelligent_office.memory.embeddings import (
    CachedEmbedder,
    Embedder,
    build_embedder,
    local_embedder_missing,
)
from intelligent_office.memory.feedback import FeedbackMemory
from intelligent_office.memory.plans import PlanMemory
from intelligent_office.memory.search import MemorySearch
from intelligent_office.memory.search_tool import search_documents_tool
from intelligent_office.memory.settings import MemorySettings
from intelligent_office.store import Store
from intelligent_office.tools.base import Tool

# `ask` and `ingest` load their machinery when called: a task's run uses neither.
if TYPE_CHECKING:
    from intelligent_office.llm.router import LLMRouter
    from intelligent_office.memory.answer import AskResult
    from intelligent_office.memory.documents import IngestProgress, IngestReport
    from intelligent_office.store.feedback import FeedbackRecord

__all__ = ["OfficeMemory"]


@dataclass
class OfficeMemory:
    """Embedder, search, plan memory, feedback and documents over one store."""

    settings: MemorySettings
    store: Store
    embedder: CachedEmbedder
    search: MemorySearch = field(init=False)
    plans: PlanMemory = field(init=False)
    feedback: FeedbackMemory = field(init=False)

    def __post_init__(self) -> None:
        self.search = MemorySearch(
            self.store.engine,
            self.embedder,
            recency_weight=self.settings.recency_weight,
            half_life_days=self.settings.recency_half_life_days,
        )
        self.plans = PlanMemory(self.search, self.store, self.settings)
        self.feedback = FeedbackMemory(self.search)

    @classmethod
    def open(
        cls, settings: MemorySettings, store: Store, *, embedder: Embedder | None = None
    ) -> OfficeMemory:
        """The memory the settings describe; the model is not loaded until first needed.

        Raises:
            ConfigError: the local embedder's packages are missing (says how to install
                them), or the endpoint's key is not set.
        """
        if embedder is None:
            runtime = settings.embedder.runtime
            if settings.embedder.kind == "local" and (problem := local_embedder_missing(runtime)):
                raise UserError(f"memory: {problem}")
            embedder = build_embedder(settings.embedder)
        cached = CachedEmbedder(embedder, store.engine, batch_size=settings.embedder.batch_size)
        return cls(settings=settings, store=store, embedder=cached)

    def search_tool(self) -> Tool:
        """The `search_documents` tool over these documents."""
        return search_documents_tool(self.search, self.store)

    def ingest(
        self, root: Path, *, tenant: str, progress: IngestProgress | None = None
    ) -> IngestReport:
        """Ingest a folder or file incrementally."""
        from intelligent_office.memory.documents import ingest

        return ingest(self.search, root, tenant=tenant, settings=self.settings, progress=progress)

    async def ask(
        self, question: str, *, tenant: str, router: LLMRouter | None = None
    ) -> AskResult:
        """Answer a question from memory, with citations."""
        from intelligent_office.memory.answer import answer_question

        if not question.strip():
            raise UserError('the question is empty: office ask "what do my notes say about X?"')
        return await answer_question(
            self.search, question, tenant=tenant, router=router, top_k=self.settings.top_k
        )

    def add_feedback(
        self, task_id: str, *, user_id: str, rating: int | None, comment: str
    ) -> FeedbackRecord:
        """Store feedback on a task, announce it, and embed it now.

        Raises:
            UserError: no such task, or neither a rating nor a comment.
        """
        if rating is None and not comment.strip():
            raise UserError("give a rating (--rating 1..5), a comment (--comment TEXT), or both")
        if rating is not None and not 1 <= rating <= 5:
            raise UserError(f"rating {rating} is out of range: give 1 (bad) to 5 (great)")
        if self.store.tasks.get(task_id) is None:
            raise UserError(f"no task {task_id}: `office tasks` lists them")
        stored = self.store.feedback.add(
            task_id=task_id, user_id=user_id, rating=rating, comment=comment
        )
        self.store.events.append(
            task_id=task_id,
            run_id=None,
            type="feedback.received",
            payload={"feedback_id": stored.id, "rating": stored.rating, "comment": stored.comment},
            dedup_key=f"feedback/{stored.id}",
        )
        self.feedback.sync()
        self.search.index_pending()
        return stored
