"""An OpenAI-compatible front door: `GET /v1/models` and `POST /v1/chat/completions`.

Chat clients (the openai SDK, Open WebUI, LibreChat) send `Authorization: Bearer
<office key>`. The last user message becomes a task, submitted through the same
`submit_task` as `POST /tasks`, read in the light of the whole conversation: a follow-up
("and who calls process_data?") takes the folder and functions of earlier user turns, and
"yes" after an answer asking "Did you mean: ...?" submits the proposed request
(`llm/offline/understanding/conversation.py`). Without streaming the answer comes when
the task has finished; with `stream: true` each event worth reading arrives as a line of text
(`chat_progress`), then the answer, then `data: [DONE]`. A model that streams writes the
answer token by token (`answer.delta` events), and then it is not sent whole again.
The completion's id is `chatcmpl-<task_id>` and every body carries `task_id`, so a
client can follow up with the REST API. Errors come in OpenAI's shape,
`{"error": {"message", "type", "code"}}`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from intelligent_office.api.auth import Operator
from intelligent_office.api.chat_progress import progress_line
from intelligent_office.api.chat_schemas import (
    MODEL_ID,
    AssistantMessage,
    ChatChoice,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    ChunkChoice,
    Delta,
    ModelCard,
    ModelList,
    OpenAIError,
    OpenAIErrorBody,
    Usage,
)
from intelligent_office.api.json_bodies import InvalidJsonValue, StrictJsonRoute
from intelligent_office.api.limits import RateLimited
from intelligent_office.api.progress import FINISHED_STATUSES
from intelligent_office.api.schemas import TaskRequest
from intelligent_office.api.state import ApiState, api_state
from intelligent_office.api.submission import submit_task
from intelligent_office.errors import UserError
from intelligent_office.llm.answer_stream import ANSWER_DELTA
from intelligent_office.llm.offline.understanding.conversation import Turn, resolve_conversation
from intelligent_office.models import Event
from intelligent_office.safe_text import one_line_json

__all__ = ["ChatError", "router"]

POLL_SECONDS = 0.2
PING_SECONDS = 15.0
_MODEL_CREATED = int(datetime(2026, 11, 21, tzinfo=UTC).timestamp())
# OpenAI's error types and codes by HTTP status.
_KINDS: dict[int, tuple[str, str | None]] = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_error", "insufficient_permissions"),
    404: ("invalid_request_error", "not_found"),
    409: ("invalid_request_error", "conflict"),
    429: ("rate_limit_error", "rate_limit_exceeded"),
}


class ChatError(Exception):
    """An error answered in OpenAI's shape."""

    def __init__(self, status_code: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.code = code


def openai_error(
    status_code: int,
    message: str,
    *,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """`{"error": {...}}` with OpenAI's type for the status code."""
    kind, default_code = _KINDS.get(status_code, ("server_error", None))
    body = OpenAIErrorBody(error=OpenAIError(message=message, type=kind, code=code or default_code))
    return JSONResponse(
        status_code=status_code, content=body.model_dump(mode="json"), headers=headers
    )


def _validation_message(error: RequestValidationError) -> str:
    first = error.errors()[0] if error.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    return f"invalid request: {where or 'body'}: {first.get('msg', 'not valid')}"


class OpenAIRoute(StrictJsonRoute):
    """A route whose every error, its dependencies' included, is in OpenAI's shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def in_openai_shape(request: Request) -> Response:
            try:
                return await handler(request)
            except ChatError as error:
                return openai_error(error.status_code, error.message, code=error.code)
            except InvalidJsonValue as error:  # a 400, as every malformed body here
                return openai_error(400, f"invalid request: {error.message}")
            except HTTPException as error:
                headers = dict(error.headers) if error.headers else None
                return openai_error(error.status_code, str(error.detail), headers=headers)
            except RequestValidationError as error:
                return openai_error(400, _validation_message(error))
            except UserError as error:
                return openai_error(400, str(error))

        return in_openai_shape


_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": OpenAIErrorBody, "description": description}
    for code, description in {
        400: "A bad request: no user message, a bad workspace, a malformed body.",
        401: "No API key, or an unknown or revoked one.",
        403: "A viewer key: chat submits tasks, which needs an operator.",
        404: "No such model: use `office`.",
        409: "An Idempotency-Key reused with another request.",
        429: "A per-user limit was reached; `Retry-After` says how long to wait.",
    }.items()
}

# Each streamed event: `data:` a chat.completion.chunk as JSON, or `[DONE]` at the end.
_SSE_EVENT: dict[str, Any] = {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {"type": "string"}},
}

router = APIRouter(prefix="/v1", tags=["openai"], route_class=OpenAIRoute)
State = Annotated[ApiState, Depends(api_state)]


@router.get("/models", summary="Models (OpenAI-compatible)", responses=_ERRORS)
def list_models(principal: RateLimited) -> ModelList:
    """One model, `office`: the whole team of agents behind one name."""
    return ModelList(data=[ModelCard(id=MODEL_ID, created=_MODEL_CREATED)])


@router.get("/models/{model}", summary="One model (OpenAI-compatible)", responses=_ERRORS)
def get_model(model: str, principal: RateLimited) -> ModelCard:
    """The `office` model; 404 for any other name."""
    _require_model(model)
    return ModelCard(id=MODEL_ID, created=_MODEL_CREATED)


@router.post(
    "/chat/completions",
    summary="Chat completions (OpenAI-compatible): the last user message becomes a task",
    response_model=ChatCompletion,
    responses={
        200: {
            "description": "The answer; with `stream: true`, chat.completion.chunk events.",
            "content": {"text/event-stream": {"itemSchema": _SSE_EVENT}},
        },
        **_ERRORS,
    },
)
async def chat_completions(
    body: ChatCompletionRequest,
    request: Request,
    principal: Operator,
    _: RateLimited,
    state: State,
    idempotency_key: Annotated[
        str | None,
        Header(alias="Idempotency-Key", max_length=200, description="As for POST /tasks."),
    ] = None,
) -> Response:
    """Submit the last user message as a task; answer when it has finished, or stream its
    progress as text with `stream: true`."""
    _require_model(body.model)
    task = await submit_task(state, principal, _task_request(body), idempotency_key)
    chat = _Chat(state, task.task_id, created=int(time.time()))
    if body.stream:
        usage = bool((body.stream_options or {}).get("include_usage"))
        return StreamingResponse(
            chat.stream(include_usage=usage),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    answer = ""
    async for event in chat.follow(request):
        if event is not None:
            answer = _answer_of(event) or answer
    completion = await chat.completion(answer)
    return JSONResponse(completion.model_dump(mode="json"))


def _require_model(model: str) -> None:
    if model != MODEL_ID:
        raise ChatError(
            status.HTTP_404_NOT_FOUND,
            f"The model {model!r} does not exist: use {MODEL_ID!r} (GET /v1/models)",
            code="model_not_found",
        )


def _task_request(body: ChatCompletionRequest) -> TaskRequest:
    users = [message for message in body.messages if message.role == "user"]
    text = users[-1].text().strip() if users else ""
    if not text:
        raise ChatError(
            status.HTTP_400_BAD_REQUEST,
            "no user message with text: the last message with role 'user' becomes the task",
        )
    turns = [
        Turn(message.role, message.text())
        for message in body.messages
        if message.role in ("user", "assistant")
    ]
    try:
        return TaskRequest(
            description=resolve_conversation(turns) or text,
            workspace=body.workspace,
            allowed_tools=body.allowed_tools,
            priority=body.priority,
            max_cost=body.max_cost,
        )
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "request"
        raise ChatError(status.HTTP_400_BAD_REQUEST, f"bad task: {where}: {first['msg']}") from None


def _answer_of(event: Event) -> str | None:
    """The answer a task-ending event carries, if it is one."""
    if not event.type.startswith("task.") or event.type == "task.submitted":
        return None
    answer = event.payload.get("answer")
    if isinstance(answer, str) and answer:
        return answer
    if event.type == "task.cancelled":
        return f"The task was cancelled: {event.payload.get('reason') or 'on request'}"
    return None


def _written(written: dict[tuple[str, str, int], str], event: Event) -> str:
    """A model's answer tokens as chat text; a new writer (role, subtask, re-ask) starts a
    paragraph of its own."""
    data = event.payload
    key = (str(data.get("agent")), str(data.get("subtask_id")), int(str(data.get("attempt", 1))))
    text = str(data.get("text") or "")
    start = "" if key in written else "\n"
    written[key] = written.get(key, "") + text
    return start + text


@dataclass
class _Chat:
    """One chat completion: the task it submitted, followed to its end."""

    state: ApiState
    task_id: str
    created: int

    @property
    def id(self) -> str:
        return f"chatcmpl-{self.task_id}"

    def _finished(self) -> bool:
        record = self.state.store.tasks.get(self.task_id)
        if record is None or record.status not in FINISHED_STATUSES:
            return False
        runs = self.state.store.runs.recent(task_id=self.task_id, limit=1)
        # The worker stores a run's last events before it marks the run finished.
        return not runs or runs[0].status.finished

    async def follow(self, request: Request | None = None) -> AsyncIterator[Event | None]:
        """The task's events until it has finished; None now and then while nothing happens
        (a heartbeat), and the end when a waiting client has gone."""
        after, idle_since = 0, time.monotonic()
        store = self.state.store
        while True:
            # Read "finished" before the events: whatever was stored by then is in this read.
            finished = await asyncio.to_thread(self._finished)
            events = await asyncio.to_thread(store.events.read, self.task_id, after_seq=after)
            for event in events:
                after, idle_since = event.seq, time.monotonic()
                yield event
            if finished and not events:
                return
            if request is not None and await request.is_disconnected():
                return  # the task goes on; GET /tasks/{id} has its answer
            if not events:
                if time.monotonic() - idle_since >= PING_SECONDS:
                    idle_since = time.monotonic()
                    yield None
                await asyncio.sleep(POLL_SECONDS)

    async def outcome(self, answer: str) -> str:
        """The text to give back: the answer, or why there is none."""
        if answer:
            return answer
        record = await asyncio.to_thread(self.state.store.tasks.get, self.task_id)
        runs = await asyncio.to_thread(self.state.store.runs.recent, task_id=self.task_id, limit=1)
        error = runs[0].error if runs and runs[0].error else None
        ended = record.status if record is not None else "unknown"
        return f"The task ended {ended}" + (f": {error}" if error else " without an answer.")

    async def usage(self) -> Usage:
        """Model tokens the task used."""
        calls = await asyncio.to_thread(self.state.store.llm_calls.for_task, self.task_id)
        prompt = sum(call.input_tokens for call in calls)
        completion = sum(call.output_tokens for call in calls)
        return Usage(
            prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion
        )

    async def completion(self, answer: str) -> ChatCompletion:
        """The whole answer as one chat.completion."""
        return ChatCompletion(
            id=self.id,
            created=self.created,
            choices=[ChatChoice(message=AssistantMessage(content=await self.outcome(answer)))],
            usage=await self.usage(),
            system_fingerprint=f"office-task-{self.task_id}",
            task_id=self.task_id,
        )

    def _chunk(self, delta: Delta, *, finish: bool = False, usage: Usage | None = None) -> bytes:
        choices = (
            []
            if usage is not None
            else [ChunkChoice(delta=delta, finish_reason="stop" if finish else None)]
        )
        chunk = ChatCompletionChunk(
            id=self.id,
            created=self.created,
            choices=choices,
            usage=usage,
            system_fingerprint=f"office-task-{self.task_id}",
            task_id=self.task_id,
        )
        data = one_line_json(chunk.model_dump_json(exclude_none=True))
        return b"data: " + data.encode() + b"\n\n"

    async def stream(self, *, include_usage: bool) -> AsyncIterator[bytes]:
        """SSE: a first line naming the task, progress lines, the answer, the end, [DONE]."""
        yield self._chunk(
            Delta(
                role="assistant",
                content=f"task {self.task_id} submitted (GET /tasks/{self.task_id})\n",
            )
        )
        answer = ""
        written: dict[tuple[str, str, int], str] = {}  # answers streamed by models, by writer
        # No disconnect polling here: Starlette cancels this generator when the client goes.
        async for event in self.follow():
            if event is None:
                yield b": ping\n\n"
                continue
            if event.type == ANSWER_DELTA:
                yield self._chunk(Delta(content=_written(written, event)))
                continue
            answer = _answer_of(event) or answer
            line = progress_line(event)
            if line:
                yield self._chunk(Delta(content=line + "\n"))
        outcome = await self.outcome(answer)
        if any(text.strip() == outcome.strip() for text in written.values()):
            yield self._chunk(Delta(content="\n"))  # the answer came token by token already
        else:
            yield self._chunk(Delta(content="\n" + outcome))
        yield self._chunk(Delta(), finish=True)
        if include_usage:
            yield self._chunk(Delta(), usage=await self.usage())
        yield b"data: [DONE]\n\n"
