"""`office ask` and the query router: cited answers from documents (extractive offline,
synthesized by a model), what was ingested when, and past tasks; `office feedback`."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from intelligent_office.front_door import Office
from intelligent_office.llm.router import LLMRouter
from intelligent_office.memory.embeddings import LocalMiniLM
from intelligent_office.memory.office_memory import OfficeMemory
from intelligent_office.memory.router import Route, route_question
from intelligent_office.memory.settings import MemorySettings
from intelligent_office.settings import load_settings
from intelligent_office.store import Store
from intelligent_office.store.tables import MemoryDocumentRow
from intelligent_office.task_input import new_task
from intelligent_office.tools.base import ToolContext
from tests.cli.test_cli import office
from tests.llm.servers import ScriptedLLMServer, ToolCallReply
from tests.memory.corpus import DOCUMENTS
from tests.memory.datasets import FILES

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("question", "route", "since", "until"),
    [
        ("What do my documents say about backups?", Route.DOCUMENTS, None, None),
        ("what did I ingest last week?", Route.RECENT, NOW - timedelta(days=7), None),
        ("Which files were added in the past 3 days", Route.RECENT, NOW - timedelta(days=3), None),
        ("what did I ask about the pipeline last time?", Route.CONVERSATION, None, None),
        ("What were my previous tasks about invoices?", Route.CONVERSATION, None, None),
        (
            "what do the notes from yesterday say about backups",
            Route.DOCUMENTS,
            datetime(2026, 11, 20, tzinfo=UTC),
            datetime(2026, 11, 21, tzinfo=UTC),
        ),
        ("what was added since 2026-11-01?", Route.RECENT, datetime(2026, 11, 1, tzinfo=UTC), None),
    ],
)
def test_the_router_picks_the_memory_and_the_period(
    question: str, route: Route, since: datetime | None, until: datetime | None
) -> None:
    routed = route_question(question, NOW)
    assert (routed.route, routed.since, routed.until) == (route, since, until)


def ingest_corpus(memory: OfficeMemory, folder: Path, names: list[str]) -> None:
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / name).write_text(DOCUMENTS[name])
    memory.ingest(folder, tenant="alice")


async def test_an_offline_answer_quotes_the_best_passage_and_cites_it(
    memory: OfficeMemory, tmp_path: Path
) -> None:
    ingest_corpus(memory, tmp_path / "docs", ["backups.md", "vacation.md", "oncall.md"])

    result = await memory.ask("How long are database backups kept?", tenant="alice")

    assert result.route is Route.DOCUMENTS and result.answered_by == "offline"
    assert "Copies are kept for 35 days. [1]" in result.answer
    assert result.citations[0].location == "backups.md:1"
    assert result.citations[0].source == str(tmp_path / "docs" / "backups.md")

    nothing = await memory.ask("How long are database backups kept?", tenant="bob")
    assert nothing.answer.startswith("I could not find this in your documents.")
    assert not nothing.citations


async def test_what_was_ingested_in_a_period_is_listed_from_the_times_recorded(
    memory: OfficeMemory, tmp_path: Path
) -> None:
    ingest_corpus(memory, tmp_path / "docs", ["backups.md", "vacation.md", "oncall.md"])
    long_ago = datetime.now(UTC) - timedelta(days=20)
    with Session(memory.store.engine) as session, session.begin():
        session.execute(
            update(MemoryDocumentRow)
            .where(MemoryDocumentRow.path.like("%vacation.md"))
            .values(ingested_at=long_ago)
        )

    result = await memory.ask("What did I ingest last week?", tenant="alice")

    assert result.route is Route.RECENT and result.period == "last week"
    listed = sorted(Path(c.source).name for c in result.citations)
    assert listed == ["backups.md", "oncall.md"]
    assert result.answer.startswith("You ingested 2 documents last week:")


async def test_conversation_recall_finds_past_tasks_and_their_answers(
    store: Store, minilm: LocalMiniLM, tmp_path: Path
) -> None:
    settings = load_settings(None, home=tmp_path / "home")
    service = Office.from_settings(settings, store, memory_embedder=minilm)
    assert service.memory is not None
    worker = service.worker()
    (tmp_path / "ws").mkdir()
    task = new_task("Calculate 6 * 7", workspace=tmp_path / "ws", user_id="alice")
    _, submitted = service.submit(worker, task)
    await worker.run(submitted.run_id)

    result = await service.memory.ask("What did I ask about multiplying last time?", tenant="alice")

    assert result.route is Route.CONVERSATION
    assert result.citations[0].source == f"task:{task.task_id}"
    assert "you asked “Calculate 6 * 7”: 6 * 7 = 42 [1]" in result.answer


def test_the_search_documents_tool_searches_the_tasks_users_documents(
    store: Store, minilm: LocalMiniLM, tmp_path: Path
) -> None:
    settings = load_settings(None, home=tmp_path / "home")
    service = Office.from_settings(settings, store, memory_embedder=minilm)
    assert service.memory is not None and "search_documents" in service.tools
    ingest_corpus(service.memory, tmp_path / "docs", ["backups.md", "parking.md"])
    store.tasks.create(task_id="t-alice", user_id="alice", description="x", priority=5, body={})
    store.tasks.create(task_id="t-bob", user_id="bob", description="x", priority=5, body={})
    tool = service.tools.get("search_documents")

    async def call(task_id: str) -> dict[str, Any]:
        context = ToolContext(workspace=tmp_path, task_id=task_id)
        result = await tool(context, {"query": "where do electric cars charge", "limit": 1})
        assert isinstance(result, dict)
        return result

    alice, bob = asyncio.run(call("t-alice")), asyncio.run(call("t-bob"))
    assert alice["count"] == 1 and alice["results"][0]["location"] == "parking.md:1"
    assert alice["answer"].startswith("Electric cars charge on level -2;")
    assert bob == {
        "query": "where do electric cars charge",
        "answer": "I could not find this in your documents.",
        "count": 0,
        "results": [],
    }


ANSWER = {"answer": "Backups are kept for 35 days [1].", "cited": [1]}


async def test_with_a_model_the_answer_is_synthesized_and_must_cite_real_sources(
    memory: OfficeMemory, tmp_path: Path, openai_server: ScriptedLLMServer, monkeypatch: Any
) -> None:
    ingest_corpus(memory, tmp_path / "docs", ["backups.md", "vacation.md"])
    monkeypatch.setenv("LOCAL_LLM_KEY", "sk-local")
    settings = load_settings(
        None,
        llm={
            "providers": {
                "local": {
                    "kind": "openai",
                    "base_url": openai_server.base_url,
                    "api_key_env": "LOCAL_LLM_KEY",
                }
            },
            "tiers": {"default": ["local:gpt-4o-mini"]},
        },
    )
    router = LLMRouter(settings.llm, settings.budgets, memory.store)
    openai_server.script(
        ToolCallReply("final_result", {"answer": "Kept for 35 days [7].", "cited": [7]}),
        ToolCallReply("final_result", ANSWER),
    )

    result = await memory.ask("How long are backups kept?", tenant="alice", router=router)

    assert result.answered_by == "llm:local:gpt-4o-mini"
    assert result.answer == ANSWER["answer"]
    assert [c.location for c in result.citations] == ["backups.md:1"]
    # The first draft cited a source that does not exist: it went back to the model.
    assert len(openai_server.requests) == 2
    assert "do not exist" in json.dumps(openai_server.requests[1])
    sources = json.loads(openai_server.requests[0]["messages"][-1]["content"])["sources"]
    assert sources[0]["where"] == "backups.md:1" and "35 days" in sources[0]["text"]


def test_the_cli_rates_a_task_ingests_and_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OFFICE_HOME", str(tmp_path / "home"))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "backups.md").write_text(DOCUMENTS["backups.md"])

    code, out, err = office(["ingest", str(docs)], capsys, monkeypatch)
    assert code == 0, err
    assert "1 added, 0 updated, 0 unchanged, 0 removed, 0 skipped; 1 chunks" in out
    code, out, _ = office(["ask", "when is the restore test done?", "--json"], capsys, monkeypatch)
    assert code == 0
    body = json.loads(out)
    assert body["route"] == "documents" and body["citations"][0]["location"] == "backups.md:1"
    assert "first Monday of every month" in body["answer"]

    code, _, err = office(["feedback", "no-such-task", "--rating", "2"], capsys, monkeypatch)
    assert code == 2 and err.strip() == "office: no task no-such-task: `office tasks` lists them"
    code, _, err = office(["feedback", "t", "--rating", "9"], capsys, monkeypatch)
    assert code == 2 and "less than or equal to 5" in err
    code, out, err = office(["run", "Calculate 1 + 1", "--json"], capsys, monkeypatch)
    task_id = json.loads(out)["task_id"]
    code, out, err = office(
        ["feedback", task_id, "--rating", "5", "--comment", "spot on"], capsys, monkeypatch
    )
    assert code == 0 and out.strip().endswith(f"on task {task_id}: rated 5/5")
    store = Store.open(f"sqlite:///{tmp_path / 'home' / 'office.db'}")
    (stored,) = store.feedback.for_task(task_id)
    assert (stored.rating, stored.comment) == (5, "spot on")
    assert any(e.type == "feedback.received" for e in store.events.read(task_id))
    store.close()


async def test_the_offline_brain_plans_a_document_search_and_cites_the_passages(
    store: Store, minilm: LocalMiniLM, tmp_path: Path
) -> None:
    settings = load_settings(None, home=tmp_path / "home")
    service = Office.from_settings(settings, store, memory_embedder=minilm)
    assert service.memory is not None
    ingest_corpus(service.memory, tmp_path / "docs", ["backups.md", "parking.md", "bike.md"])
    (tmp_path / "ws").mkdir()
    worker = service.worker()
    task = new_task("What do my notes say about charging electric cars?", workspace=tmp_path / "ws")
    service.memory.ingest(tmp_path / "docs", tenant=task.user_id or "local")
    _, submitted = service.submit(worker, task)

    finished = await worker.run(submitted.run_id)

    assert finished.result is not None and finished.result["status"] == "completed"
    answer = finished.result["answer"]
    assert answer.startswith("Electric cars charge on level -2; a permit from reception is needed")
    # Only the passages the answer cites are listed as its sources, not every one found.
    assert "Sources:\n  [1] parking.md:1: The garage under building B" in answer
    assert "backups.md" not in answer and "[2]" not in answer

    without = Office.from_settings(
        load_settings(None, home=tmp_path / "home", memory={"enabled": False}), store
    )
    worker = without.worker()
    _, submitted = without.submit(
        worker, new_task("Search my documents for bikes", workspace=tmp_path / "ws")
    )
    finished = await worker.run(submitted.run_id)
    assert finished.result is not None and finished.result["status"] == "unsupported"
    assert finished.result["gaps"][0]["missing_capabilities"] == ["search_documents"]


def ingest_datasets(memory: OfficeMemory, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    for name, text in FILES.items():
        (folder / name).write_text(text)
    memory.ingest(folder, tenant="alice")


async def test_a_question_the_documents_answer_gets_the_sentence_that_answers_it(
    memory: OfficeMemory, tmp_path: Path
) -> None:
    ingest_datasets(memory, tmp_path / "docs")

    iris = await memory.ask("How many samples are in the iris dataset?", tenant="alice")
    wine = await memory.ask("How many instances does the wine dataset have?", tenant="alice")
    kept = await memory.ask("How long are backups kept?", tenant="alice")
    where = await memory.ask("Where are the wines from?", tenant="alice")

    assert iris.answer.startswith("Number of Instances: 150 (50 in each of three classes) [1]")
    assert [c.location for c in iris.citations] == ["iris.rst:1-23"]
    assert wine.answer.startswith("Number of Instances: 178 [1]") and "150" not in wine.answer
    assert kept.answer == "Copies are kept for 35 days. [1]"
    # Lines that wrap are one sentence, not cut where the line breaks.
    assert where.answer.startswith(
        "The data is the results of a chemical analysis of wines grown in the same region in"
        " Italy by three different cultivators. [1]"
    )


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of France?",
        "What is the airspeed of an unladen swallow?",
        "How many employees does the company have?",
    ],
)
async def test_a_question_the_documents_do_not_answer_gets_an_honest_no(
    memory: OfficeMemory, tmp_path: Path, question: str
) -> None:
    ingest_datasets(memory, tmp_path / "docs")

    result = await memory.ask(question, tenant="alice")

    assert result.answer == "I could not find this in your documents."
    assert result.citations == []


async def test_no_sentence_is_said_twice_though_chunks_overlap(
    memory: OfficeMemory, tmp_path: Path
) -> None:
    settings = MemorySettings(chunk_size=200, chunk_overlap=120)
    memory = OfficeMemory.open(settings, memory.store, embedder=memory.embedder.inner)
    text = " ".join(f"Server {n} is patched on day {n} of the month." for n in range(1, 9))
    (tmp_path / "patching.md").write_text(text)
    memory.ingest(tmp_path / "patching.md", tenant="alice")

    result = await memory.ask("On which day of the month is server 4 patched?", tenant="alice")

    sentences = [s.strip() for s in re.split(r"\[\d+\]", result.answer) if s.strip()]
    assert "Server 4 is patched on day 4 of the month." in sentences
    assert len(sentences) == len(set(sentences))


async def test_what_was_ingested_today_counts_every_document(
    memory: OfficeMemory, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(25):
        (docs / f"note-{n:02d}.md").write_text(f"Note number {n} is about topic {n}.")
    memory.ingest(docs, tenant="alice")

    result = await memory.ask("What did I ingest today?", tenant="alice")

    assert result.answer.startswith("You ingested 25 documents today: ")
    assert result.answer.endswith("; and 5 more.") and len(result.citations) == 20


def test_the_search_tool_and_the_cli_answer_the_question(
    store: Store,
    minilm: LocalMiniLM,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = load_settings(None, home=tmp_path / "home")
    service = Office.from_settings(settings, store, memory_embedder=minilm)
    assert service.memory is not None
    ingest_datasets(service.memory, tmp_path / "docs")
    store.tasks.create(task_id="t-alice", user_id="alice", description="x", priority=5, body={})
    tool = service.tools.get("search_documents")

    async def call(query: str) -> dict[str, Any]:
        result = await tool(ToolContext(workspace=tmp_path, task_id="t-alice"), {"query": query})
        assert isinstance(result, dict)
        return result

    found = asyncio.run(call("How many samples are in the iris dataset?"))
    assert found["answer"].startswith("Number of Instances: 150 (50 in each of three classes)")
    assert found["results"][0]["location"] == "iris.rst:1-23"
    assert asyncio.run(call("capital of France"))["answer"] == (
        "I could not find this in your documents."
    )

    monkeypatch.setenv("OFFICE_HOME", str(tmp_path / "cli-home"))
    code, out, err = office(["ingest", str(tmp_path / "docs")], capsys, monkeypatch)
    assert code == 0 and "3 added" in out, err
    code, out, _ = office(["ask", "How many samples are in the iris dataset?"], capsys, monkeypatch)
    assert code == 0 and out.startswith("Number of Instances: 150 (50 in each of three classes)")
    assert "[1] iris.rst:1-23" in out
    code, out, _ = office(["ask", "What is the capital of France?"], capsys, monkeypatch)
    assert out.startswith("I could not find this in your documents.")
