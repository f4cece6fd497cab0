"""Webhooks reach public addresses only, unless the operator allows private ones."""

from __future__ import annotations

from tests.api.conftest import LiveServer


def test_a_webhook_to_a_private_address_is_refused_by_default(live: LiveServer) -> None:
    client = live.client(live.key("alice"))
    for url in ["http://127.0.0.1:9/hook", "http://169.254.169.254/", "http://localhost/"]:
        answer = client.post("/webhooks", json={"url": url})
        assert answer.status_code == 400, url
        assert "allow_private_addresses" in answer.json()["detail"]
    assert client.get("/webhooks").json() == []  # nothing was stored
    created = client.post("/webhooks", json={"url": "https://hooks.example.com/x"})
    assert created.status_code == 201
