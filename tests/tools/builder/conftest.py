"""A real HTTP JSON API on 127.0.0.1, the only place a test task's answer can come from."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

RATES = {"base": "EUR", "rates": {"USD": 1.0842, "GBP": 0.8571}}


class RatesAPI(ThreadingHTTPServer):
    """The API, recording the paths it was asked for."""

    hits: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: RatesAPI

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        body = json.dumps(RATES).encode() if self.path == "/rates.json" else b""
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.hits.append(self.path)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def rates_api() -> Iterator[RatesAPI]:
    server = RatesAPI(("127.0.0.1", 0), _Handler)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
