"""The local MiniLM in a helper process: the same vectors, a fallback, and started only when
a run will recall plans."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from intelligent_office.memory.early_embedder import FEEDBACK_KIND, PLAN_KIND, early_embedder
from intelligent_office.memory.embeddings import CachedEmbedder, LocalMiniLM
from intelligent_office.memory.embeddings.embedder_process import (
    EmbedderProcess,
    EmbedderProcessError,
)
from intelligent_office.memory.items import ItemKind, MemoryItems, NewItem
from intelligent_office.memory.settings import MemorySettings
from intelligent_office.settings import Settings
from intelligent_office.store import Store
from tests.fresh_python import fresh_python

TEXTS = [
    "Calculate 2+2",
    "Trace the call sequence from main() to process_data() in examples/sample_app",
    "Ünïcödé, 日本語 and emoji 🙂 in one line",
    "a long text " * 200,  # past the 256-token truncation
]


def _in_a_command(texts: list[str], batch_size: int = 64) -> list[list[float]]:
    """The vectors the model gives loaded in-process by a command, as `office run` would.

    In a fresh interpreter: this one's numpy may have loaded before the embedder could
    ask for one BLAS thread, and a product summed over two threads differs in the last
    bits (about 1e-8).
    """
    code = (
        "import json, sys\n"
        "from intelligent_office.memory.embeddings import LocalMiniLM\n"
        "texts, size = json.loads(sys.argv[1]), int(sys.argv[2])\n"
        "print(json.dumps(LocalMiniLM(batch_size=size).embed(texts)))\n"
    )
    vectors: list[list[float]] = fresh_python(code, json.dumps(texts), str(batch_size))
    return vectors


@pytest.fixture
def helper() -> Iterator[EmbedderProcess]:
    process = EmbedderProcess()
    yield process
    process.close()


def test_helper_vectors_are_the_in_process_ones(helper: EmbedderProcess) -> None:
    assert helper.encode(TEXTS) == _in_a_command(TEXTS)
    assert helper.encode(TEXTS[:1]) == _in_a_command(TEXTS[:1])  # and again, one at a time


def test_embedder_with_a_helper_embeds_as_without(helper: EmbedderProcess) -> None:
    embedder = LocalMiniLM(batch_size=2, helper=helper)  # batches of two go to the helper
    assert embedder.embed(TEXTS) == _in_a_command(TEXTS, batch_size=2)
    assert embedder.texts_embedded == len(TEXTS)


def test_a_failed_helper_is_replaced_by_the_model_in_process(
    helper: EmbedderProcess, minilm: LocalMiniLM
) -> None:
    helper.close()  # gone before it answered anything
    with pytest.raises(EmbedderProcessError):
        helper.encode(TEXTS[:1])
    embedder = LocalMiniLM(helper=helper)
    assert embedder.embed(TEXTS) == minilm.embed(TEXTS)


def test_close_ends_and_reaps_the_helper(helper: EmbedderProcess) -> None:
    process = helper._process
    assert helper.encode(["hello"])
    helper.close()
    assert process.returncode is not None
    helper.close()  # twice is fine


def test_a_torch_embedder_stops_the_helper_it_cannot_use(helper: EmbedderProcess) -> None:
    LocalMiniLM(runtime="torch", helper=helper)  # the helper loads the numpy model
    assert helper._process.returncode is not None  # stopped and reaped, not left running


def _settings(tmp_path: Path, **memory: object) -> Settings:
    home = tmp_path / "home"
    return Settings(home=home, memory=MemorySettings.model_validate(memory))


def _remember_a_plan(
    settings: Settings, tenant: str, title: str = "What is 3*7?", text: str = "Calculate 3*7"
) -> None:
    store = Store.open(settings.resolved_database_url)
    try:
        item = NewItem(
            tenant=tenant,
            kind=ItemKind.PLAN,
            source=f"task/t1/{text}",
            position=0,
            title=title,
            text=text,
            created_at=datetime.now(UTC),
            task_id="t1",
        )
        with store.engine.begin() as connection:
            MemoryItems(store.engine).insert(connection, [item])
    finally:
        store.close()


def test_plan_kind_is_the_items_kind() -> None:
    assert PLAN_KIND == ItemKind.PLAN
    assert FEEDBACK_KIND == ItemKind.FEEDBACK


def test_early_embedder_starts_only_when_the_tenant_has_plans(tmp_path: Path) -> None:
    settings, task = _settings(tmp_path), "What is 3*7?"
    assert early_embedder(settings, "ann", task) is None  # a new home: no database yet
    settings.home.mkdir(parents=True)
    Store.open(settings.resolved_database_url).close()
    assert early_embedder(settings, "ann", task) is None  # no plans
    _remember_a_plan(settings, "bob")
    assert early_embedder(settings, "ann", task) is None  # another tenant's plans
    assert early_embedder(_settings(tmp_path, enabled=False), "bob", task) is None
    torch = {"embedder": {"runtime": "torch"}}
    assert early_embedder(_settings(tmp_path, **torch), "bob", task) is None
    embedder = early_embedder(settings, "bob", task)
    assert embedder is not None and embedder._helper is not None
    try:
        assert embedder.embed(["Calculate 2+2"]) == _in_a_command(["Calculate 2+2"])
    finally:
        embedder._helper.close()


def _started(embedder: LocalMiniLM | None) -> bool:
    """Whether `early_embedder` started a helper (which is stopped here: unused)."""
    if embedder is None:
        return False
    assert embedder._helper is not None
    embedder._helper.close()
    return True


def test_early_embedder_starts_none_when_every_text_is_cached(
    tmp_path: Path, minilm: LocalMiniLM
) -> None:
    # The same task again: its subtask and every stored plan were embedded by an earlier
    # recall, so this run's recall finds every vector in the cache and needs no model.
    settings = _settings(tmp_path)
    settings.home.mkdir(parents=True)
    _remember_a_plan(settings, "bob")
    assert _started(early_embedder(settings, "bob", "What is 3*7?"))  # not embedded yet
    store = Store.open(settings.resolved_database_url)
    try:
        CachedEmbedder(minilm, store.engine).embed(["Calculate 3*7"])
        assert not _started(early_embedder(settings, "bob", "What is 3*7?"))
        # A task never run before: its subtasks are not known before it is decomposed.
        assert _started(early_embedder(settings, "bob", "What is 2+2?"))
        # A plan stored since (of anyone: the recall embeds every tenant's new plans).
        _remember_a_plan(settings, "ann", "What is 5*5?", "Calculate 5*5")
        assert _started(early_embedder(settings, "bob", "What is 3*7?"))
        CachedEmbedder(minilm, store.engine).embed(["Calculate 5*5"])
        assert not _started(early_embedder(settings, "bob", "What is 3*7?"))
        # Feedback not yet in memory: its text is new.
        store.tasks.create(task_id="t1", user_id="bob", description="What is 3*7?")
        store.feedback.add(task_id="t1", user_id="bob", rating=5, comment="right")
        assert _started(early_embedder(settings, "bob", "What is 3*7?"))
    finally:
        store.close()


def _stuck(process: EmbedderProcess) -> None:
    """Stop the helper where it is (loading, say): it reads and answers nothing more."""
    os.kill(process._process.pid, signal.SIGSTOP)


def test_a_helper_that_never_answers_is_killed_at_the_deadline() -> None:
    process = EmbedderProcess(answer_timeout=1.0)
    _stuck(process)
    started = time.monotonic()
    with pytest.raises(EmbedderProcessError, match="no answer in 1.0 s"):
        # Past the pipe's buffer: the write blocks as well as the read.
        process.encode(["a long text " * 200] * 64)
    assert time.monotonic() - started < 10
    assert process._process.returncode is not None  # killed and reaped


def test_an_embedder_whose_helper_is_stuck_loads_in_process(minilm: LocalMiniLM) -> None:
    process = EmbedderProcess(answer_timeout=1.0)
    _stuck(process)
    embedder = LocalMiniLM(helper=process)
    assert embedder.embed(TEXTS[:2]) == minilm.embed(TEXTS[:2])
    assert process._process.returncode is not None


def test_an_interrupt_mid_answer_stops_the_helper() -> None:
    process = EmbedderProcess()

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # SIGUSR1, not an alarm: pytest-timeout's alarm stays as it is.
    previous = signal.signal(signal.SIGUSR1, interrupt)
    _stuck(process)
    sender = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGUSR1))
    sender.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            process.encode(["hello"])
    finally:
        sender.join()
        signal.signal(signal.SIGUSR1, previous)
    # Its answer would be out of step with the next question: it is gone, not reused.
    assert process._process.returncode is not None
    with pytest.raises(EmbedderProcessError):
        process.encode(["hello"])


def test_the_helper_imports_nothing_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `office run` in a checkout of someone else's code: its modules are not the helper's.
    marker = tmp_path / "imported"
    (tmp_path / "json.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    expected = _in_a_command(TEXTS[:1])  # before: `python -c` would import it too
    monkeypatch.chdir(tmp_path)
    process = EmbedderProcess()
    try:
        assert process.encode(TEXTS[:1]) == expected
    finally:
        process.close()
    assert not marker.exists()


_PARENT = """
import sys, time
from intelligent_office.memory.embeddings.embedder_process import EmbedderProcess
helper = EmbedderProcess()
if sys.argv[1] == "answered":
    helper.encode(["hello"])
print(helper._process.pid, flush=True)
time.sleep(120)
"""


@pytest.mark.parametrize(
    ("when", "stopped"), [("loading", False), ("answered", False), ("answered", True)]
)
def test_the_helper_ends_when_its_parent_is_killed(when: str, stopped: bool) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT, when], stdout=subprocess.PIPE, text=True
    )
    helper = None
    try:
        assert parent.stdout is not None
        helper = int(parent.stdout.readline())
        if stopped:  # it cannot read its closed stdin: only the parent-death signal ends it
            os.kill(helper, signal.SIGSTOP)
    finally:
        parent.kill()  # no exit handler runs: only the closed pipe tells the helper
        parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()
    deadline = time.monotonic() + 60
    while _running(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert not _running(helper)
    finally:
        if _running(helper):  # a failed run leaves no stopped helper behind
            os.kill(helper, signal.SIGKILL)


def test_a_helper_whose_parent_ended_before_it_started_exits_at_once() -> None:
    # The parent may die between starting the helper and the helper's asking for the
    # parent-death signal: the helper, given its parent's pid, sees another parent and
    # exits before it loads anything.
    gone = subprocess.Popen(["true"])
    gone.wait()
    module = "intelligent_office.memory.embeddings.embedder_process"
    done = subprocess.run(
        [sys.executable, "-P", "-m", module, str(gone.pid)],
        input=b'["hello"]\n',
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout == b""


def _running(pid: int | None) -> bool:
    """Whether `pid` runs (not ended, nor a zombie waiting for its new parent to reap it)."""
    if pid is None:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0]
    except FileNotFoundError:
        return False
    return state != "Z"
