"""Property: no file name and no task text makes a tool result or any view unreadable.

Hypothesis draws arbitrary bytes as a file name (all but "/" and NUL) and arbitrary
unicode, lone surrogates included, as task text. Each example plants the file, calls the
list, search and read tools on it, then submits a task that searches it (over the API,
and through the library as `office run` would, whose argv may carry surrogates), and
reads every read route of one real app on 127.0.0.1: GET /tasks, /tasks/{id}, /status,
/logs, the /events stream to its end, the UI page and a chat completion. Never a 500,
never a broken stream, always valid UTF-8 JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intelligent_office.errors import ToolError
from intelligent_office.task_input import new_task
from intelligent_office.tools import ToolContext
from intelligent_office.tools.file_ops import list_files, read_file, search_files
from tests.api.api_helpers import read_sse, settings_for
from tests.api.conftest import LiveServer, running

pytestmark = pytest.mark.timeout(600)

FILE_NAMES = st.binary(min_size=1, max_size=24).filter(
    lambda name: b"/" not in name and b"\0" not in name and name not in (b".", b"..")
)
TEXT = st.text(st.characters(exclude_categories=()), max_size=40)  # surrogates included
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same 25 examples on every run: CI is reproducible
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_numbers = count()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One app for every example (a server per example would be far too slow)."""
    tmp_path = tmp_path_factory.mktemp("hostile")
    root = tmp_path / "workspace" / "alice"  # alice's own directory under the root
    (root / "notes").mkdir(parents=True)
    with running(settings_for(tmp_path, root, memory={"enabled": False})) as server:
        yield server


def strict_json(text: str | bytes) -> Any:
    """A body parsed as JSON, after checking it is valid UTF-8 (no lone surrogate either)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    parsed = json.loads(data.decode("utf-8"))
    json.dumps(parsed, ensure_ascii=False).encode("utf-8")  # no escaped surrogate inside
    return parsed


def post_json(client: httpx.Client, path: str, body: dict[str, Any]) -> httpx.Response:
    """POST `body` as JSON; a lone surrogate goes as its \\udXXX escape, as JSON allows."""
    content = json.dumps(body).encode("ascii")
    return client.post(path, content=content, headers={"content-type": "application/json"})


async def check_tools(workspace: Path, directory: str, name: bytes) -> None:
    ctx = ToolContext(workspace=workspace)
    shown = f"{directory}/{name.decode('utf-8', 'backslashreplace')}"  # b"\xff" as "\xff"
    listed = strict_json(json.dumps(await list_files(ctx, {"path": directory}), ensure_ascii=False))
    assert listed["files"] == [shown]
    found = await search_files(ctx, {"pattern": "todo", "path": directory})
    assert strict_json(json.dumps(found, ensure_ascii=False))["files_searched"] <= 1
    try:
        read = await read_file(ctx, {"path": shown})
    except ToolError as error:  # binary, say: a message that is valid UTF-8
        str(error).encode("utf-8")
    else:
        assert strict_json(json.dumps(read, ensure_ascii=False))["path"] == shown


def read_every_view(client: httpx.Client, task_id: str) -> None:
    with client.stream("GET", f"/tasks/{task_id}/events") as stream:
        assert stream.status_code == 200
        types = [message.event for message in read_sse(stream)]  # ends by itself
    # The stream reaches the task's end: done, or an honest "not sure what you meant"
    # (the text may be anything) or a dead letter, never cut off before it.
    assert {"task.completed", "task.unsupported", "task.dead_lettered"} & set(types), types
    for path in (f"/tasks/{task_id}", f"/tasks/{task_id}/status", f"/tasks/{task_id}/logs"):
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.text)
        strict_json(answer.content)
    page = client.get(f"/ui/tasks/{task_id}")
    assert page.status_code == 200, page.text
    page.content.decode("utf-8")


@given(name=FILE_NAMES, text=TEXT)
@EXAMPLES
def test_no_file_name_or_task_text_breaks_a_tool_or_a_view(
    live: LiveServer, name: bytes, text: str
) -> None:
    workspace = live.settings.workspace_roots[0] / "alice"
    directory = f"notes/{next(_numbers)}"
    (workspace / directory).mkdir()
    with open(os.path.join(os.fsencode(workspace / directory), name), "wb") as file:
        file.write(b"todo " + text.encode("utf-8", "surrogatepass") + b"\n")
    asyncio.run(check_tools(workspace, directory, name))

    client = live.client(live.key("alice"))
    description = f'Search for "{text}" in {directory}'
    submitted = post_json(client, "/tasks", {"description": description})
    assert submitted.status_code in (202, 422), submitted.text  # 422: text it cannot take
    task_ids = [submitted.json()["task_id"]] if submitted.status_code == 202 else []
    task = new_task(description, workspace=workspace, user_id="alice")  # as `office run` does
    record, _ = live.office.submit(live.office.worker(), task)
    task_ids.append(record.task_id)
    # The chat waits for its own task's answer while the two above run.
    chat = post_json(
        client,
        "/v1/chat/completions",
        {"model": "office", "messages": [{"role": "user", "content": description}]},
    )
    assert chat.status_code in (200, 422), chat.text
    strict_json(chat.content)
    for task_id in task_ids:
        read_every_view(client, task_id)
    listing = client.get("/tasks")
    assert listing.status_code == 200
    strict_json(listing.content)
