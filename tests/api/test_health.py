"""The server answers liveness and readiness probes without a key."""

from __future__ import annotations

from tests.api.conftest import LiveServer


def test_healthz_and_readyz_answer_without_a_key(live: LiveServer) -> None:
    client = live.client()
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "sqlite"
