"""The chat front door reads the whole conversation (issue 19), against the real app on
127.0.0.1 driven by the openai SDK: a follow-up takes the folder of an earlier turn, and
"yes" to a question back ("Did you mean: ...?") runs the proposed request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam

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


@pytest.fixture
def chat(live: LiveServer) -> Iterator[openai.OpenAI]:
    key = live.key("alice", "operator")
    client = openai.OpenAI(base_url=live.url + "/v1", api_key=key, max_retries=0, timeout=60)
    yield client
    client.close()


def _ask(
    chat: openai.OpenAI, conversation: list[ChatCompletionMessageParam], text: str
) -> tuple[str, str]:
    """Send the conversation plus `text`; keep both turns in it; the answer and task id."""
    conversation.append({"role": "user", "content": text})
    completion = chat.chat.completions.create(model="office", messages=conversation)
    answer = completion.choices[0].message.content or ""
    conversation.append({"role": "assistant", "content": answer})
    return answer, completion.id.removeprefix("chatcmpl-")


def test_a_follow_up_takes_the_folder_of_the_earlier_turn(
    chat: openai.OpenAI, live: LiveServer, workspace: Path
) -> None:
    folder = workspace / "sample_app"
    conversation: list[ChatCompletionMessageParam] = []
    first, _ = _ask(chat, conversation, f"trace main to process_data in {folder}")
    assert first.startswith("Call sequence from main() to process_data()")

    second, task_id = _ask(chat, conversation, "and who calls process_data?")

    detail = live.client(live.key("alice")).get(f"/tasks/{task_id}").json()
    assert detail["status"] == "completed"
    assert (
        detail["description"]
        == f"Find where process_data() is defined and who calls it in {folder}"
    )
    assert second.startswith("process_data() is defined at:")
    assert "app/core/processing.py:18" in second
    assert "in app.pipeline.Pipeline._stage" in second  # the caller, found in that folder


def test_who_calls_it_means_the_function_talked_about_last(
    chat: openai.OpenAI, live: LiveServer, workspace: Path
) -> None:
    folder = workspace / "sample_app"
    conversation: list[ChatCompletionMessageParam] = []
    _ask(chat, conversation, f"Trace the calls from main() to load_records() in {folder}")
    answer, _ = _ask(chat, conversation, "who calls it?")
    assert answer.startswith("load_records() is defined at:")
    assert "app/loaders.py:11" in answer


def test_yes_to_a_question_back_runs_the_proposed_request(
    chat: openai.OpenAI, live: LiveServer, workspace: Path
) -> None:
    folder = workspace / "sample_app"
    conversation: list[ChatCompletionMessageParam] = []
    question, asked = _ask(chat, conversation, f"main() and process_data() in {folder}?")
    proposal = f"Trace the call sequence from main() to process_data() in {folder}"
    assert question.splitlines()[-1] == f"Did you mean: {proposal}?"
    client = live.client(live.key("alice"))
    assert client.get(f"/tasks/{asked}").json()["status"] == "unsupported"
    events = client.get(f"/tasks/{asked}/logs").json()["items"]
    asking = [e for e in events if e["type"] == "subtask.clarification_requested"]
    assert [e["payload"]["proposed_request"] for e in asking] == [proposal]

    answer, task_id = _ask(chat, conversation, "yes please")

    assert client.get(f"/tasks/{task_id}").json()["description"] == proposal
    assert answer.startswith("Call sequence from main() to process_data()")
    assert "-> app.core.processing.process_data()" in answer


def test_yes_without_a_question_back_is_not_a_request(
    chat: openai.OpenAI, live: LiveServer
) -> None:
    answer, task_id = _ask(chat, [], "yes")
    assert live.client(live.key("alice")).get(f"/tasks/{task_id}").json()["status"] == "unsupported"
    assert "Did you mean" not in answer
