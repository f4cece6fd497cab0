"""The OpenAI chat-completions wire format, as much of it as chat clients use.

Requests accept and ignore the sampling options (temperature, max_tokens ...) that
clients send by habit: the Office decides how to do the task. Office-only options
(workspace, allowed_tools, priority, max_cost) ride along as extra body fields
(`extra_body=` in the openai SDK).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "MODEL_ID",
    "AssistantMessage",
    "ChatChoice",
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionRequest",
    "ChatMessage",
    "ChunkChoice",
    "Delta",
    "ModelCard",
    "ModelList",
    "OpenAIError",
    "OpenAIErrorBody",
    "Usage",
]

MODEL_ID = "office"


class ChatMessage(BaseModel):
    """One message of the conversation; content is text or a list of content parts."""

    model_config = ConfigDict(extra="allow", strict=True)

    role: str = Field(max_length=64, description="system, user, assistant, tool ...")
    content: str | list[dict[str, Any]] | None = Field(
        default=None, description="Text, or parts such as {type: text, text: ...}."
    )

    def text(self) -> str:
        """The message's text; the text parts joined when it has parts."""
        if isinstance(self.content, str):
            return self.content
        parts = self.content or []
        return "\n".join(str(part.get("text", "")) for part in parts if part.get("type") == "text")


class ChatCompletionRequest(BaseModel):
    """A chat completion request: the last user message becomes a task."""

    # Strict: a `"stream": "yes"` or `"max_cost": false` is a mistake to report, not coerce.
    model_config = ConfigDict(
        extra="allow",
        strict=True,
        json_schema_extra={
            "examples": [
                {
                    "model": MODEL_ID,
                    "stream": True,
                    "messages": [
                        {
                            "role": "user",
                            "content": "Trace the call sequence from main() to process_data()"
                            " in sample_app",
                        }
                    ],
                }
            ]
        },
    )

    model: str = Field(max_length=256, description=f"Must be {MODEL_ID!r} (see GET /v1/models).")
    messages: list[ChatMessage] = Field(
        min_length=1,
        max_length=1000,
        description="The conversation; the last user message is the task.",
    )
    stream: bool = Field(default=False, description="Stream progress and the answer as SSE chunks.")
    stream_options: dict[str, Any] | None = Field(
        default=None, description="{include_usage: true} adds a last chunk with token usage."
    )
    workspace: str | None = Field(
        default=None,
        max_length=4096,
        description="Office extension: the task's workspace (inside the server's roots).",
    )
    allowed_tools: list[str] | None = Field(
        default=None, max_length=100, description="Office extension: only these tools may run."
    )
    priority: int = Field(default=5, ge=0, le=10, description="Office extension: queue priority.")
    max_cost: float | None = Field(
        default=None, ge=0, le=1e6, description="Office extension: most it may spend, in USD."
    )


class Usage(BaseModel):
    """Model tokens the task used (0 with the offline brain)."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class AssistantMessage(BaseModel):
    """The answer as the assistant's message."""

    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    """The one choice of a completion."""

    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class ChatCompletion(BaseModel):
    """The task's answer (or why it failed) as a chat completion; `task_id` names the task."""

    id: str = Field(description="chatcmpl-<task_id>.")
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str = MODEL_ID
    choices: list[ChatChoice]
    usage: Usage
    system_fingerprint: str | None = None
    task_id: str = Field(description="Office extension: the task, for GET /tasks/{task_id}.")


class Delta(BaseModel):
    """What a chunk adds to the message."""

    role: Literal["assistant"] | None = None
    content: str | None = None


class ChunkChoice(BaseModel):
    """The one choice of a chunk."""

    index: int = 0
    delta: Delta
    finish_reason: Literal["stop"] | None = None
    logprobs: None = None


class ChatCompletionChunk(BaseModel):
    """One streamed piece: a progress line, the answer, or the end."""

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str = MODEL_ID
    choices: list[ChunkChoice]
    usage: Usage | None = None
    system_fingerprint: str | None = None
    task_id: str


class ModelCard(BaseModel):
    """A model the endpoint serves."""

    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "intelligent-office"


class ModelList(BaseModel):
    """GET /v1/models."""

    object: Literal["list"] = "list"
    data: list[ModelCard]


class OpenAIError(BaseModel):
    """What went wrong, in OpenAI's words."""

    message: str
    type: str
    code: str | None = None
    param: str | None = None


class OpenAIErrorBody(BaseModel):
    """Every error answer of /v1: `{"error": {"message", "type", "code"}}`."""

    error: OpenAIError
