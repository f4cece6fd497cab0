"""Memory tests run on real SQLite and PostgreSQL with the real MiniLM, loaded once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from intelligent_office.memory.embeddings import LocalMiniLM
from intelligent_office.memory.office_memory import OfficeMemory
from intelligent_office.memory.settings import MemorySettings
from intelligent_office.store import Store


@pytest.fixture(scope="session")
def minilm() -> LocalMiniLM:
    """all-MiniLM-L6-v2 from the package, loaded once for the whole session."""
    model = LocalMiniLM()
    model.embed(["warm up"])
    return model


@pytest.fixture
def memory(store: Store, minilm: LocalMiniLM) -> Iterator[OfficeMemory]:
    """Memory on each database, with the session's MiniLM behind a fresh cache."""
    yield OfficeMemory.open(MemorySettings(), store, embedder=minilm)


# Every memory test may only reach 127.0.0.1; the scripted OpenAI-compatible server.
from tests.llm.conftest import only_loopback_network, openai_server  # noqa: E402, F401
