"""A real webhook receiver on 127.0.0.1: it records every POST and answers with the status
codes it is told to, one per request, then 200."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    """One POST as the receiver got it."""

    headers: dict[str, str]
    body: bytes
    status: int

    def json(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.body)
        return document


@dataclass
class Receiver:
    """What the server received, and the statuses it answers next."""

    url: str
    statuses: list[int] = field(default_factory=list)
    hold: threading.Event | None = None
    """When set, each request waits for this event before it is answered."""
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def requests(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def wait_for(
        self, condition: Callable[[list[Received]], bool], timeout: float = 30.0
    ) -> list[Received]:
        """Poll until `condition(requests)` holds; the requests then."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.requests()
            if condition(got):
                return got
            if time.monotonic() > deadline:
                types = [r.headers.get("office-event-type") for r in got]
                raise AssertionError(f"receiver condition not met in {timeout} s; got {types}")
            time.sleep(0.05)


@contextmanager
def receiver(
    statuses: list[int] | None = None, hold: threading.Event | None = None
) -> Iterator[Receiver]:
    """Serve a receiver on a free port of 127.0.0.1 until the block ends."""
    state = Receiver(url="", statuses=list(statuses or []), hold=hold)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with state.lock:
                status = state.statuses.pop(0) if state.statuses else 200
                headers = {name.lower(): value for name, value in self.headers.items()}
                state.received.append(Received(headers=headers, body=body, status=status))
            if state.hold is not None:
                state.hold.wait(timeout=30)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        if hold is not None:
            hold.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
