"""Any bytes in a file name: tools show it escaped, and every view of the task stays readable.

A name that is not UTF-8 (b"\\xff.txt") reaches Python as a lone surrogate ("\\udcff.txt").
Tools keep it as it is to open the file, show it as `\\xff.txt`, and accept that form back;
the store escapes whatever else slips through. Checked with the real tools and a real
`office serve` app on 127.0.0.1: the task pages, logs, event stream, chat answer and the
task.completed webhook.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from intelligent_office.errors import ToolError
from intelligent_office.memory.embeddings.hashing import HashingEmbedder
from intelligent_office.memory.index import Scope
from intelligent_office.memory.items import ItemKind
from intelligent_office.memory.office_memory import OfficeMemory
from intelligent_office.memory.settings import MemorySettings
from intelligent_office.settings import Settings
from intelligent_office.store import Store
from intelligent_office.task_input import new_task
from intelligent_office.tools import ToolContext
from intelligent_office.tools.code_analyzer.tools import trace_calls
from intelligent_office.tools.file_ops import list_files, read_file, search_files
from tests.api.api_helpers import read_sse, settings_for
from tests.api.conftest import LiveServer, running
from tests.api.webhook_receiver import receiver

ODD_NAMES = [b"\xff.txt", b"caf\xe9.md", b"\xfe\xfd/inner\x80.txt", "line\u2028break.txt".encode()]
SHOWN = [
    "notes/\\xfe\\xfd/inner\\x80.txt",
    "notes/\\xff.txt",
    "notes/a.txt",
    "notes/caf\\xe9.md",
    "notes/line\u2028break.txt",  # valid UTF-8, but a line break to str.splitlines
]


def plant(notes: Path) -> None:
    """notes/ with one plain file and three whose names are not UTF-8."""
    notes.mkdir(parents=True)
    (notes / "a.txt").write_text("todo: plain\n")
    for name in ODD_NAMES:
        path = os.path.join(os.fsencode(notes), name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as file:
            file.write(b"todo: odd\n")


def utf8_json(value: object) -> dict[str, object]:
    """`value` through JSON encoded as UTF-8, as the store, API and webhooks do it."""
    decoded: dict[str, object] = json.loads(json.dumps(value, ensure_ascii=False).encode())
    return decoded


async def call(tool: object, ctx: ToolContext, **arguments: object) -> dict[str, object]:
    result = await tool(ctx, arguments)  # type: ignore[operator]
    return utf8_json(result)


@pytest.fixture
def ctx(tmp_path: Path) -> ToolContext:
    plant(tmp_path / "notes")
    return ToolContext(workspace=tmp_path)


async def test_the_file_tools_show_odd_names_escaped_and_read_them_back(
    ctx: ToolContext,
) -> None:
    listed = await call(list_files, ctx, path="notes")
    assert listed["files"] == SHOWN
    found = await call(search_files, ctx, pattern="todo", path="notes")
    assert sorted(match["file"] for match in found["matches"]) == SHOWN  # type: ignore[attr-defined]
    read = await call(read_file, ctx, path="notes/\\xff.txt")  # the name as it was shown
    assert (read["path"], read["content"]) == ("notes/\\xff.txt", "todo: odd\n")
    with pytest.raises(ToolError, match=r"notes/nope\\xff") as missing:
        await call(read_file, ctx, path="notes/nope\udcff")
    str(missing.value).encode("utf-8")  # an error message is valid UTF-8 too


async def test_the_code_analyzer_shows_odd_names_escaped(ctx: ToolContext) -> None:
    source = ctx.workspace / "src"
    source.mkdir()
    (source / "main.py").write_text("from helpers import work\n\ndef main():\n    work()\n")
    with open(os.path.join(os.fsencode(source), b"\xff.py"), "wb") as odd:
        odd.write(b"def main():\n    pass\n")
    (source / "helpers.py").write_text("def work():\n    pass\n")
    traced = await call(trace_calls, ctx, root="src", start="main", end="work")
    assert traced["start_matches"] == ["\\xff.main", "main.main"]  # the module of \xff.py


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:
    root = tmp_path / "workspace" / "alice"  # alice's own directory under the root
    plant(root / "notes")
    return settings_for(
        tmp_path,
        root,
        memory={"enabled": False},
        webhooks={"allow_private_addresses": True, "poll_seconds": 0.05},
    )


@pytest.fixture
def live(api_settings: Settings) -> Iterator[LiveServer]:
    with running(api_settings) as server:
        yield server


def test_every_view_of_a_task_that_lists_odd_names_is_readable(live: LiveServer) -> None:
    client = live.client(live.key("alice"))
    with receiver() as hooks:
        hook = client.post("/webhooks", json={"url": hooks.url, "event_types": ["task.completed"]})
        assert hook.status_code == 201, hook.text
        for description in ("list files in notes", 'Search for "todo" in notes'):
            task_id = client.post("/tasks", json={"description": description}).json()["task_id"]
            with client.stream("GET", f"/tasks/{task_id}/events") as stream:
                types = [message.event for message in read_sse(stream)]
            assert "task.completed" in types and types[-1] == "run.completed", types
            for path in (f"/tasks/{task_id}", f"/tasks/{task_id}/logs", "/tasks"):
                answer = client.get(path)
                assert answer.status_code == 200, (path, answer.text)
                assert "\\\\xff.txt" in answer.text or path == "/tasks", path
            page = client.get(f"/ui/tasks/{task_id}")
            assert page.status_code == 200 and "\\xff.txt" in page.text
            assert client.get(f"/tasks/{task_id}").json()["status"] == "completed"
        delivered = hooks.wait_for(lambda got: len(got) == 2)
        assert all(delivery.json()["type"] == "task.completed" for delivery in delivered)
    chat = client.post(
        "/v1/chat/completions",
        json={"model": "office", "messages": [{"role": "user", "content": "list files in notes"}]},
    )
    assert chat.status_code == 200, chat.text
    assert "\\xff.txt" in chat.json()["choices"][0]["message"]["content"]


def test_a_task_description_with_lone_surrogates_from_the_library_is_readable(
    live: LiveServer,
) -> None:
    """argv carries undecodable bytes as surrogates: `office run` and the library pass them on."""
    client = live.client(live.key("alice"))
    workspace = live.settings.workspace_roots[0] / "alice"
    task = new_task("list files in notes \udcff \ud800", workspace=workspace, user_id="alice")
    record, _ = live.office.submit(live.office.worker(), task)
    shown = "list files in notes \\xff \\ud800"
    assert live.store.tasks.get(record.task_id).description == shown  # type: ignore[union-attr]
    deadline = time.monotonic() + 60
    while client.get(f"/tasks/{record.task_id}/status").json()["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    for path in (f"/tasks/{record.task_id}", f"/tasks/{record.task_id}/logs", "/tasks"):
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.text)
    assert client.get(f"/tasks/{record.task_id}").json()["description"] == shown
    assert client.get(f"/ui/tasks/{record.task_id}").status_code == 200


def test_the_store_keeps_only_valid_utf8_on_each_database(store: Store) -> None:
    """The backstop: whatever slips past the tools is stored escaped, never refused."""
    record, _ = store.tasks.create(
        task_id="t-odd",
        user_id="alice",
        description="read notes/\udcff.txt \ud800",
        priority=5,
        body={"description": "read notes/\udcff.txt", "files": ["caf\udce9.md"]},
    )
    store.events.append(
        task_id="t-odd",
        run_id=None,
        type="tool.called",
        payload={"files": ["\udcff.txt"], "\udcfe": "key too"},
        dedup_key="odd",
    )
    stored = store.tasks.get("t-odd")
    assert stored is not None
    assert stored.description == "read notes/\\xff.txt \\ud800"
    assert stored.body["files"] == ["caf\\xe9.md"]
    (event,) = store.events.read("t-odd")
    assert event.payload == {"files": ["\\xff.txt"], "\\xfe": "key too"}
    event.model_dump_json().encode("utf-8")


def test_documents_with_odd_names_are_ingested_found_and_recognised_again(
    store: Store, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in ((b"\xff.md", "# Leave\nPaid leave is 30 days.\n"), (b"caf\xe9.txt", "x\n")):
        with open(os.path.join(os.fsencode(docs), name), "wb") as file:
            file.write(text.encode())
    memory = OfficeMemory.open(MemorySettings(), store, embedder=HashingEmbedder(384))
    first = memory.ingest(docs, tenant="alice")
    assert sorted(first.added) == [f"{docs}/\\xff.md", f"{docs}/caf\\xe9.txt"]
    (hit,) = memory.search.search("paid leave", Scope("alice", (ItemKind.DOCUMENT,)), 1)
    assert (hit.item.source, hit.item.location["path"]) == (f"{docs}/\\xff.md", "\\xff.md")
    again = memory.ingest(docs, tenant="alice")  # the stored paths still name the files
    assert (again.added, again.updated, again.removed, again.unchanged) == ([], [], [], 2)
