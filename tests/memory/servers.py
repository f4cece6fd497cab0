"""An OpenAI-compatible embeddings server on 127.0.0.1, in a thread, for the endpoint embedder.

It embeds with the hashing embedder (real, deterministic vectors), records every request
body and header, and can be told to fail the next requests with a status.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from intelligent_office.memory.embeddings import HashingEmbedder


@dataclass
class EmbeddingServer:
    """`POST /v1/embeddings` like OpenAI's, answering `data[i].embedding` for `input[i]`."""

    dimensions: int = 32
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    _failures: deque[int] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _httpd: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def fail_next(self, *statuses: int) -> None:
        with self._lock:
            self._failures.extend(statuses)

    def __enter__(self) -> EmbeddingServer:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._httpd is not None and self._thread is not None
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _answer(self, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            failure = self._failures.popleft() if self._failures else None
        if failure is not None:
            return failure, {"error": {"message": f"scripted {failure}", "type": "server_error"}}
        texts = body["input"]
        vectors = HashingEmbedder(self.dimensions).embed(texts)
        # Out of order on purpose: clients must sort by index.
        data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)][
            ::-1
        ]
        usage = {"prompt_tokens": len(texts), "total_tokens": len(texts)}
        return HTTPStatus.OK, {
            "object": "list",
            "model": body["model"],
            "data": data,
            "usage": usage,
        }


def _handler(server: EmbeddingServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path != "/v1/embeddings":
                status, payload = HTTPStatus.NOT_FOUND, {"error": {"message": "no route"}}
            else:
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, payload = server._answer(json.loads(raw), headers)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
