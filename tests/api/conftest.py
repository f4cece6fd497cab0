"""The real app served by uvicorn on 127.0.0.1, on a SQLite file, with the local runtime.

`live` starts one server per test; `live.key(user, role)` creates an API key and
`live.client(key)` an httpx client that sends it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
import uvicorn

from intelligent_office.api import create_app
from intelligent_office.front_door import Office
from intelligent_office.settings import Settings, load_settings
from intelligent_office.store import Store

SAMPLE_APP = Path(__file__).resolve().parents[2] / "examples" / "sample_app"
TRACE_TASK = "Trace the call sequence from main() to process_data() in " + str(SAMPLE_APP)


# What schemathesis's negative_data_rejection check takes as a refusal of a request that
# breaks the schema: its own list (5xx are not_a_server_error's to catch), plus the
# documented 413 that any body over the size limit gets before it is read; a generated
# body of several MB is refused for its size before anything else is looked at.
NEGATIVE_DATA_REJECTION = {
    "expected-statuses": [
        *("400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"),
        "5xx",
    ]
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class LiveServer:
    """A running app: its base URL, store and settings."""

    url: str
    store: Store
    settings: Settings
    office: Office
    clients: list[httpx.Client] = field(default_factory=list)

    def key(self, user: str = "alice", role: str = "operator") -> str:
        """A new API key for the user."""
        _, key = self.store.api_keys.create(user_id=user, role=role)
        return key

    def client(self, key: str | None = None, **options: object) -> httpx.Client:
        """An httpx client on the server, sending `key` as a bearer token."""
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        client = httpx.Client(base_url=self.url, headers=headers, timeout=30.0, **options)  # type: ignore[arg-type]
        self.clients.append(client)
        return client

    def wait_for_task(
        self, client: httpx.Client, task_id: str, timeout: float = 60.0
    ) -> dict[str, object]:
        """Poll `/tasks/{id}/status` until the task is finished; its last status body."""
        deadline = time.monotonic() + timeout
        while True:
            body: dict[str, object] = client.get(f"/tasks/{task_id}/status").json()
            if body.get("status") in ("completed", "failed", "dead_lettered", "cancelled"):
                return body
            if time.monotonic() > deadline:
                raise AssertionError(f"task {task_id} still {body.get('status')} after {timeout} s")
            time.sleep(0.1)


def serve(settings: Settings, store: Store, office: Office) -> Iterator[str]:
    """Run the app on a free port in a thread until the generator is closed."""
    port = free_port()
    app = create_app(settings, store=store, office=office)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="office-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:
    """Settings on a SQLite file of this test's own."""
    return load_settings(
        None,
        home=tmp_path / "home",
        database_url=f"sqlite:///{tmp_path / 'office.db'}",
    )


@contextlib.contextmanager
def running(settings: Settings) -> Iterator[LiveServer]:
    """The app on 127.0.0.1 with a local worker, on its own store, until the block ends."""
    store = Store.open(settings.resolved_database_url)
    office = Office.from_settings(settings, store)
    serving = serve(settings, store, office)
    url = next(serving)
    server = LiveServer(url=url, store=store, settings=settings, office=office)
    try:
        yield server
    finally:
        for client in server.clients:
            client.close()
        serving.close()
        store.close()


def openapi_document() -> dict[str, Any]:
    """The app's OpenAPI document; building it needs no server (no lifespan is entered)."""
    app = create_app(load_settings(None, home=Path("/nonexistent/office-home")))
    return app.openapi()


@pytest.fixture
def live(api_settings: Settings) -> Iterator[LiveServer]:
    """The app on 127.0.0.1 with a local worker, until the test ends."""
    with running(api_settings) as server:
        yield server
