"""The OpenAI-compatible endpoint against the real app on 127.0.0.1, driven by the openai
SDK as a chat client would: models, a task's progress streamed as text and ending with
its answer, a plain completion, an approval asked for mid-stream, errors in OpenAI's
shape."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openai
import pytest

from intelligent_office.settings import Settings
from tests.api.api_helpers import settings_for, workspace_root
from tests.api.conftest import LiveServer


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """alice's own directory (her default workspace), holding a copy of sample_app."""
    return workspace_root(tmp_path)


@pytest.fixture
def api_settings(tmp_path: Path, workspace: Path) -> Settings:
    return settings_for(tmp_path, workspace)


def trace_task(workspace: Path) -> str:
    return f"Trace the call sequence from main() to process_data() in {workspace / 'sample_app'}"


SDK = Callable[[LiveServer, str], openai.OpenAI]


@pytest.fixture
def sdk() -> Iterator[SDK]:
    """Makes openai SDK clients pointed at the live server, as any OpenAI client would be."""
    made: list[openai.OpenAI] = []

    def make(live: LiveServer, key: str) -> openai.OpenAI:
        client = openai.OpenAI(base_url=live.url + "/v1", api_key=key, max_retries=0, timeout=60)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def test_models_list_shows_office(sdk: SDK, live: LiveServer) -> None:
    client = sdk(live, live.key("alice", "viewer"))
    models = client.models.list()
    assert [model.id for model in models.data] == ["office"]
    assert models.data[0].owned_by == "intelligent-office"
    assert client.models.retrieve("office").id == "office"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4o")


def test_the_sdk_streams_a_tasks_progress_then_its_answer(
    sdk: SDK, live: LiveServer, workspace: Path
) -> None:
    key = live.key("alice", "operator")
    stream = sdk(live, key).chat.completions.create(
        model="office",
        messages=[
            {"role": "system", "content": "You are helpful."},
            {"role": "user", "content": trace_task(workspace)},
        ],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)

    task_id = chunks[0].id.removeprefix("chatcmpl-")
    assert {chunk.id for chunk in chunks} == {f"chatcmpl-{task_id}"}
    assert {chunk.object for chunk in chunks} == {"chat.completion.chunk"}
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    lines = text.splitlines()
    assert lines[0] == f"task {task_id} submitted (GET /tasks/{task_id})"
    progress = [
        "decomposed into 1 subtask",
        "s1: plan validated",
        "s1: step trace ran",
        "s1: review APPROVE",
        "s1: completed",
    ]
    positions = [lines.index(line) for line in progress]
    assert positions == sorted(positions)  # in the order they happened
    assert any(line.startswith("s1: plan 1 with 1 step (trace_calls") for line in lines)
    answer = text[text.index("\n\n") + 2 :]
    assert answer.startswith("Call sequence from main() to process_data()")
    assert "-> app.core.processing.process_data()" in answer
    # The end: finish_reason stop, then the usage chunk asked for (offline: no tokens).
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens == 0

    # The task is an ordinary task of alice's, finished by the time the stream ended.
    status = live.client(key).get(f"/tasks/{task_id}/status").json()
    assert status["status"] == "completed"
    assert live.client(live.key("bob")).get(f"/tasks/{task_id}").status_code == 404


def test_a_plain_completion_waits_for_the_answer(
    sdk: SDK, live: LiveServer, workspace: Path
) -> None:
    key = live.key("alice", "operator")
    completion = sdk(live, key).chat.completions.create(
        model="office",
        messages=[{"role": "user", "content": trace_task(workspace)}],
    )
    task_id = completion.id.removeprefix("chatcmpl-")
    assert completion.object == "chat.completion"
    assert completion.model == "office"
    [choice] = completion.choices
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    assert choice.message.content is not None
    assert choice.message.content.startswith("Call sequence from main() to process_data()")
    assert completion.usage is not None and completion.usage.total_tokens == 0
    assert getattr(completion, "task_id", None) == task_id
    detail = live.client(key).get(f"/tasks/{task_id}").json()
    assert detail["status"] == "completed"
    assert detail["answer"] == choice.message.content


def test_a_task_that_cannot_be_done_answers_why(sdk: SDK, live: LiveServer) -> None:
    completion = sdk(live, live.key("alice")).chat.completions.create(
        model="office",
        messages=[{"role": "user", "content": "Send an email to Bob about the release"}],
    )
    content = completion.choices[0].message.content or ""
    assert "send_email" in content


def test_an_approval_asked_mid_stream_is_answered_over_the_api(
    sdk: SDK, live: LiveServer, workspace: Path
) -> None:
    key = live.key("alice", "operator")
    stream = sdk(live, key).chat.completions.create(
        model="office",
        messages=[{"role": "user", "content": 'Write "hello" to the file notes.md'}],
        stream=True,
    )
    text, approved = "", False
    for chunk in stream:
        text += (chunk.choices[0].delta.content or "") if chunk.choices else ""
        if not approved and "approval needed: " in text and text.endswith("\n"):
            line = next(line for line in text.splitlines() if "approval needed: " in line)
            assert "notes.md" in line
            approval_id = line.rsplit("office approve ", 1)[1].rstrip(")")
            decided = live.client(key).post(
                f"/approvals/{approval_id}/approve", json={"comment": "fine"}
            )
            assert decided.status_code == 200, decided.text
            approved = True
    assert approved
    assert f"approval {approval_id}: approved" in text
    assert (workspace / "notes.md").read_text() == "hello"
    assert text.rstrip().endswith(text.rstrip().splitlines()[-1])  # an answer closes it
    assert "s1: completed" in text


def _error(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"}, body
    assert {"message", "type", "code"} <= set(body["error"])
    return body["error"]


def test_errors_come_in_openais_shape(sdk: SDK, live: LiveServer, workspace: Path) -> None:
    key = live.key("alice", "operator")
    client = live.client(key)
    chat = {"model": "office", "messages": [{"role": "user", "content": "Calculate 2 + 2"}]}

    unknown = client.post("/v1/chat/completions", json={**chat, "model": "gpt-4o"})
    assert unknown.status_code == 404
    assert _error(unknown)["code"] == "model_not_found"
    assert "'office'" in _error(unknown)["message"]

    anonymous = live.client().post("/v1/chat/completions", json=chat)
    assert anonymous.status_code == 401
    assert _error(anonymous)["code"] == "invalid_api_key"
    assert live.client("office_not-a-key").get("/v1/models").status_code == 401

    viewer = live.client(live.key("carol", "viewer")).post("/v1/chat/completions", json=chat)
    assert viewer.status_code == 403
    assert _error(viewer)["type"] == "permission_error"

    no_user = client.post(
        "/v1/chat/completions",
        json={"model": "office", "messages": [{"role": "system", "content": "hi"}]},
    )
    assert no_user.status_code == 400
    assert "role 'user'" in _error(no_user)["message"]

    malformed = client.post("/v1/chat/completions", json={"model": "office", "messages": "hi"})
    assert malformed.status_code == 400
    assert _error(malformed)["type"] == "invalid_request_error"
    assert "messages" in _error(malformed)["message"]

    outside = client.post("/v1/chat/completions", json={**chat, "workspace": "/etc"})
    assert outside.status_code == 400
    assert "outside the directory of user alice" in _error(outside)["message"]

    # The SDK turns these into its own exceptions, as for OpenAI itself.
    with pytest.raises(openai.AuthenticationError):
        sdk(live, "office_not-a-key").models.list()
    with pytest.raises(openai.NotFoundError) as raised:
        sdk(live, key).chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "Calculate 2 + 2"}]
        )
    assert raised.value.code == "model_not_found"


def test_an_idempotency_key_gives_the_same_task(
    sdk: SDK, live: LiveServer, workspace: Path
) -> None:
    client = sdk(live, live.key("alice", "operator"))
    messages: Any = [{"role": "user", "content": trace_task(workspace)}]
    headers = {"Idempotency-Key": f"chat-{time.time()}"}
    first = client.chat.completions.create(model="office", messages=messages, extra_headers=headers)
    again = client.chat.completions.create(model="office", messages=messages, extra_headers=headers)
    assert again.id == first.id
    assert again.choices[0].message.content == first.choices[0].message.content
