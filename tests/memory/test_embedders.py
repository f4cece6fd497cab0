"""Embedders: MiniLM on the CPU, an OpenAI-compatible endpoint over real HTTP, the cache."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from intelligent_office.errors import ConfigError, TransientError, UserError
from intelligent_office.memory.embeddings import (
    CachedEmbedder,
    LocalMiniLM,
    OpenAICompatibleEmbedder,
)
from intelligent_office.memory.embeddings import local as local_module
from intelligent_office.memory.office_memory import OfficeMemory
from intelligent_office.memory.settings import EmbedderSettings, MemorySettings
from intelligent_office.store import Store
from tests.cli.test_cli import office
from tests.memory.servers import EmbeddingServer


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / math.sqrt(
        sum(x * x for x in a) * sum(y * y for y in b)
    )


def test_minilm_puts_paraphrases_closer_than_unrelated_text(minilm: LocalMiniLM) -> None:
    cat, kitten, invoice = minilm.embed(
        ["A cat sits on the mat.", "A kitten is resting on a rug.", "Pay the invoice by Friday."]
    )
    assert len(cat) == minilm.dimensions() == 384
    assert abs(sum(x * x for x in cat) - 1.0) < 1e-4  # normalized
    assert cosine(cat, kitten) > cosine(cat, invoice) + 0.3


def test_the_numpy_and_torch_runtimes_give_the_same_vectors(minilm: LocalMiniLM) -> None:
    # The default runtime recomputes sentence-transformers' model: it must not drift from it.
    assert minilm.runtime == "numpy"
    texts = [
        "Trace the call sequence from main() to process_data() in examples/sample_app",
        "What is 2+2?",
        "short",
        "A longer paragraph about invoices, due dates and the people who pay them. " * 12,
    ]
    torch = LocalMiniLM(runtime="torch", batch_size=3)
    ours = LocalMiniLM(batch_size=3)  # batches of 3: padding inside a batch changes nothing
    for mine, theirs in zip(ours.embed(texts), torch.embed(texts), strict=True):
        assert max(abs(x - y) for x, y in zip(mine, theirs, strict=True)) < 1e-5
    assert ours.texts_embedded == torch.texts_embedded == len(texts)


@pytest.fixture
def server() -> Iterator[EmbeddingServer]:
    with EmbeddingServer() as running:
        yield running


def endpoint(server: EmbeddingServer, **extra: object) -> EmbedderSettings:
    values: dict[str, object] = {
        "kind": "openai",
        "model": "text-embedding-3-small",
        "base_url": server.base_url,
        "api_key_env": "EMBED_KEY",
        "batch_size": 2,
    } | extra
    return EmbedderSettings.model_validate(values)


def test_the_endpoint_embedder_batches_authenticates_and_keeps_order(
    server: EmbeddingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMBED_KEY", "sk-embed-123")
    embedder = OpenAICompatibleEmbedder(endpoint(server))

    vectors = embedder.embed(["one", "two", "three", "four", "five"])

    assert [len(r["input"]) for r in server.requests] == [2, 2, 1]
    assert server.requests[0] == {"model": "text-embedding-3-small", "input": ["one", "two"]}
    assert server.headers[0]["authorization"] == "Bearer sk-embed-123"
    assert cosine(vectors[2], embedder.embed(["three"])[0]) > 0.999  # the server sent them reversed
    assert embedder.dimensions() == 32
    embedder.close()


def test_endpoint_errors_say_what_failed(
    server: EmbeddingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EMBED_KEY", raising=False)
    with pytest.raises(ConfigError, match="EMBED_KEY is not set"):
        OpenAICompatibleEmbedder(endpoint(server))
    embedder = OpenAICompatibleEmbedder(endpoint(server, no_key=True))
    server.fail_next(503, 401)
    with pytest.raises(TransientError, match="answered 503"):
        embedder.embed(["x"])
    with pytest.raises(ConfigError, match="answered 401: scripted 401; check memory.embedder"):
        embedder.embed(["x"])
    assert "authorization" not in server.headers[-1]
    embedder.close()


def test_the_cache_embeds_each_text_once_across_calls_and_processes(
    server: EmbeddingServer, store: Store
) -> None:
    settings = endpoint(server, no_key=True)
    one, other = OpenAICompatibleEmbedder(settings), OpenAICompatibleEmbedder(settings)
    cached = CachedEmbedder(one, store.engine, batch_size=2)

    first = cached.embed(["alpha", "beta", "alpha"])
    assert sum(len(r["input"]) for r in server.requests) == 2 and cached.computed == 2
    again = CachedEmbedder(other, store.engine).embed(["beta", "alpha"])

    assert sum(len(r["input"]) for r in server.requests) == 2  # from the table, not the server
    assert again == [first[1], first[0]]
    one.close()
    other.close()


def test_without_the_memory_extra_the_local_embedder_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    # As if torch were not installed: the check looks the packages up by name.
    missing = ("torch_is_not_installed", "sentence_transformers")
    monkeypatch.setattr(local_module, "_PACKAGES", missing)
    store = Store.open(f"sqlite:///{tmp_path / 'a.db'}")
    with pytest.raises(UserError, match=r"pip install torch==2\.13\.0 && pip install"):
        OfficeMemory.open(MemorySettings(), store)
    store.close()

    monkeypatch.setenv("OFFICE_HOME", str(tmp_path / "home"))
    code, _, err = office(["ingest", str(tmp_path)], capsys, monkeypatch)
    assert code == 2
    (line,) = err.strip().splitlines()
    assert "the local embedder needs torch_is_not_installed" in line
    assert "pip install 'intelligent-office[memory]'" in line
