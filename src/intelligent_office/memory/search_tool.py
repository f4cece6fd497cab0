"""`search_documents`: a tool so plans can use what was ingested into memory."""

from __future__ import annotations

from intelligent_office.errors import ToolError
from intelligent_office.memory.index import Scope
from intelligent_office.memory.items import ItemKind, location_of
from intelligent_office.memory.search import Hit, MemorySearch
from intelligent_office.store import Store
from intelligent_office.tools.base import Tool, ToolContext, tool

__all__ = ["search_documents_tool"]


def search_documents_tool(search: MemorySearch, store: Store) -> Tool:
    """The tool, searching the documents of the task's user."""

    @tool("search_documents", idempotent=True)
    def search_documents(ctx: ToolContext, *, query: str, limit: int = 5) -> dict[str, object]:
        """Answer a question from the documents ingested into memory, with the passages found.

        The answer is the sentences that answer the query, each citing its passage as [n],
        or "I could not find this in your documents." when none does.

        Args:
            query: what to look for, in plain words.
            limit: the most passages to return (1 to 20).
        """
        if not query.strip():
            raise ToolError("query is empty: say what to look for")
        if not 1 <= limit <= 20:
            raise ToolError(f"limit {limit} is out of range: pass 1 to 20")
        task = store.tasks.get(ctx.task_id) if ctx.task_id else None
        tenant = task.user_id if task is not None else "local"
        hits = search.search(query, Scope(tenant, (ItemKind.DOCUMENT,)), limit)
        return {
            "query": query,
            "answer": _answer(search, query, hits),
            "count": len(hits),
            "results": [
                {
                    "source": hit.item.source,
                    "location": location_of(hit.item),
                    "text": hit.item.text,
                    "score": round(hit.score, 5),
                }
                for hit in hits
            ],
        }

    return search_documents


def _answer(search: MemorySearch, query: str, hits: list[Hit]) -> str:
    """The sentences of the passages that answer the query, cited by passage number."""
    # Loaded when a step searches the documents: a run that never does needs none of it.
    from intelligent_office.memory.extractive import NOT_FOUND, extract_answer

    if not hits:
        return NOT_FOUND
    embedder = getattr(search.embedder, "inner", search.embedder)  # sentences: not cached
    found = extract_answer(query, search.embed_query(query), hits, embedder)
    if not found.found:
        return NOT_FOUND
    return " ".join(f"{picked.text} [{picked.rank + 1}]" for picked in found.sentences)
