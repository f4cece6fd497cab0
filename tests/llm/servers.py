"""Scripted LLM servers on 127.0.0.1 that speak the OpenAI and Anthropic HTTP APIs.

The real pydantic-ai clients talk to them over real HTTP. A test scripts the replies in
order (text, a tool call, an HTTP error, malformed output, each optionally delayed) and
reads back every request body the server received.

    server = ScriptedLLMServer(OPENAI_CHAT)
    with server:
        server.script(ToolCallReply("final_result", {"city": "Paris"}))
        ...  # point a client at server.base_url
        assert server.requests[0]["messages"][0]["content"] == "..."
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

JSON = dict[str, Any]


@dataclass(frozen=True)
class TextReply:
    """A 200 reply whose message is plain text."""

    text: str
    input_tokens: int = 11
    output_tokens: int = 7
    delay_s: float = 0.0


@dataclass(frozen=True)
class ToolCallReply:
    """A 200 reply whose message calls one tool (how pydantic-ai returns structured output)."""

    name: str
    arguments: JSON
    input_tokens: int = 13
    output_tokens: int = 9
    delay_s: float = 0.0


@dataclass(frozen=True)
class ErrorReply:
    """An HTTP error status with the API's error body (and `Retry-After` when given)."""

    status: int
    message: str = "scripted failure"
    retry_after_s: int | None = None
    delay_s: float = 0.0


@dataclass(frozen=True)
class RawReply:
    """Malformed output: these bytes, as they are, with a 200 status."""

    body: bytes = b'{"not": "a completion"'
    content_type: str = "application/json"
    delay_s: float = 0.0


Reply = TextReply | ToolCallReply | ErrorReply | RawReply

# Sent when a test did not script enough replies: loud, and never mistaken for success.
_SCRIPT_EXHAUSTED = ErrorReply(HTTPStatus.NOT_IMPLEMENTED, "fake server: no scripted reply left")


@dataclass(frozen=True)
class WireFormat:
    """How one vendor API lays out the endpoint, successful replies and errors."""

    name: str
    base_path: str  # what the vendor SDK expects in `base_url` after host:port
    path: str
    success_body: Callable[[TextReply | ToolCallReply, str, int], JSON]
    error_body: Callable[[ErrorReply], JSON]


def _openai_success(reply: TextReply | ToolCallReply, model: str, number: int) -> JSON:
    message: JSON = {"role": "assistant", "content": None, "refusal": None}
    if isinstance(reply, TextReply):
        message["content"] = reply.text
        finish_reason = "stop"
    else:
        message["tool_calls"] = [
            {
                "id": f"call_{number}",
                "type": "function",
                "function": {"name": reply.name, "arguments": json.dumps(reply.arguments)},
            }
        ]
        finish_reason = "tool_calls"
    return {
        "id": f"chatcmpl-{number}",
        "object": "chat.completion",
        "created": 1_700_000_000 + number,
        "model": model,
        "choices": [
            {"index": 0, "message": message, "finish_reason": finish_reason, "logprobs": None}
        ],
        "usage": {
            "prompt_tokens": reply.input_tokens,
            "completion_tokens": reply.output_tokens,
            "total_tokens": reply.input_tokens + reply.output_tokens,
        },
    }


def _openai_error(reply: ErrorReply) -> JSON:
    return {"error": {"message": reply.message, "type": "server_error", "code": None}}


def _anthropic_success(reply: TextReply | ToolCallReply, model: str, number: int) -> JSON:
    if isinstance(reply, TextReply):
        content: list[JSON] = [{"type": "text", "text": reply.text}]
        stop_reason = "end_turn"
    else:
        content = [
            {
                "type": "tool_use",
                "id": f"toolu_{number}",
                "name": reply.name,
                "input": reply.arguments,
            }
        ]
        stop_reason = "tool_use"
    return {
        "id": f"msg_{number}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": reply.input_tokens, "output_tokens": reply.output_tokens},
    }


def _anthropic_error(reply: ErrorReply) -> JSON:
    kind = "rate_limit_error" if reply.status == HTTPStatus.TOO_MANY_REQUESTS else "api_error"
    return {"type": "error", "error": {"type": kind, "message": reply.message}}


# The OpenAI SDK appends `/chat/completions` to a base URL ending in `/v1`; the Anthropic SDK
# appends `/v1/messages` to a bare host.
OPENAI_CHAT = WireFormat("openai", "/v1", "/v1/chat/completions", _openai_success, _openai_error)
ANTHROPIC_MESSAGES = WireFormat(
    "anthropic", "", "/v1/messages", _anthropic_success, _anthropic_error
)


@dataclass
class ScriptedLLMServer:
    """A real HTTP server on 127.0.0.1 (ephemeral port) replying from a script, in a thread."""

    wire: WireFormat
    requests: list[JSON] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)  # time.monotonic() of each request
    max_in_flight: int = 0  # the most requests being answered at once
    _in_flight: int = 0
    _replies: deque[Reply] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _httpd: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The URL to give the vendor's provider as `base_url`."""
        assert self._httpd is not None, "start the server first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{self.wire.base_path}"

    def script(self, *replies: Reply) -> None:
        """Queue replies; each request consumes the next one."""
        with self._lock:
            self._replies.extend(replies)

    @property
    def unused_replies(self) -> int:
        with self._lock:
            return len(self._replies)

    def start(self) -> ScriptedLLMServer:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in a scripted delay
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ScriptedLLMServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _take(self, body: JSON, headers: dict[str, str]) -> tuple[Reply, int]:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            self.arrivals.append(time.monotonic())
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            reply = self._replies.popleft() if self._replies else _SCRIPT_EXHAUSTED
            return reply, len(self.requests)


def _handler_for(server: ScriptedLLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            if self.path.split("?")[0] != server.wire.path:
                self._send(HTTPStatus.NOT_FOUND, {"error": f"no route {self.path}"})
                return
            body = json.loads(raw or b"{}")
            if body.get("stream"):
                # Anthropic's SDK streams when `max_tokens` is large and unset: set it in settings.
                self._send(HTTPStatus.BAD_REQUEST, {"error": "fake server: streaming not scripted"})
                return
            headers = {key.lower(): value for key, value in self.headers.items()}
            reply, number = server._take(body, headers)
            self._counted = True
            try:
                self._reply(reply, number, body)
            finally:
                self._leave()

        def _leave(self) -> None:
            # Leave before the reply's bytes go out: the client may send its next request the
            # moment it reads them, and must not be counted as overlapping this one.
            if getattr(self, "_counted", False):
                self._counted = False
                _finished(server)

        def _reply(self, reply: Reply, number: int, body: JSON) -> None:
            if reply.delay_s and server._stopping.wait(reply.delay_s):
                return
            if isinstance(reply, ErrorReply):
                extra = {"Retry-After": str(reply.retry_after_s)} if reply.retry_after_s else {}
                self._send(reply.status, server.wire.error_body(reply), extra)
            elif isinstance(reply, RawReply):
                self._send_bytes(HTTPStatus.OK, reply.body, reply.content_type, {})
            else:
                model = str(body.get("model", "scripted-model"))
                self._send(HTTPStatus.OK, server.wire.success_body(reply, model, number))

        def _send(self, status: int, payload: JSON, extra: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self._send_bytes(status, data, "application/json", extra or {})

        def _send_bytes(
            self, status: int, data: bytes, content_type: str, extra: dict[str, str]
        ) -> None:
            self._leave()
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to answer

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

    return Handler


def _finished(server: ScriptedLLMServer) -> None:
    with server._lock:
        server._in_flight -= 1
