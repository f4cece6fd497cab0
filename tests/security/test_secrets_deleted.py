"""Secrets gone when deleted: a deleted webhook's secret and a revoked API key's digest are
not left in the SQLite file or its write-ahead log, nor readable in either database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from intelligent_office.store import Store
from intelligent_office.store.api_keys import hash_key
from tests.api.api_helpers import settings_for, workspace_root
from tests.api.conftest import LiveServer, running


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    settings = settings_for(tmp_path, workspace_root(tmp_path), webhooks={"enabled": False})
    with running(settings) as server:
        yield server


def database_bytes(live: LiveServer) -> bytes:
    """The database file and its WAL, as they are on disk now."""
    path = Path(live.store.engine.url.database or "")
    files = [path, path.with_name(path.name + "-wal")]
    return b"".join(file.read_bytes() for file in files if file.exists())


def checkpoint(live: LiveServer) -> None:
    """Copy the WAL into the database file, as SQLite does on its own from time to time."""
    with live.store.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(FULL)").one()


def test_a_deleted_webhooks_secret_is_not_in_the_database_files(live: LiveServer) -> None:
    client = live.client(live.key("alice", "operator"))
    created = client.post("/webhooks", json={"url": "https://hooks.example.com/x"}).json()
    kept = client.post("/webhooks", json={"url": "https://hooks.example.com/y"}).json()
    secret = created["secret"].encode()
    assert secret in database_bytes(live)  # what the check below would find
    assert client.delete(f"/webhooks/{created['id']}").status_code == 204
    assert secret not in database_bytes(live)
    checkpoint(live)
    assert secret not in database_bytes(live)
    assert kept["secret"].encode() in database_bytes(live)  # the other webhook is intact


def test_a_revoked_keys_digest_is_not_in_the_database_files(live: LiveServer) -> None:
    key = live.key("alice", "operator")
    other = live.key("bob", "operator")
    record = live.store.api_keys.authenticate(key)
    assert record is not None
    digest = hash_key(key).encode()
    assert live.client(key).get("/tasks").status_code == 200
    assert digest in database_bytes(live)
    live.store.api_keys.revoke(record.id)
    assert live.client(key).get("/tasks").status_code == 401
    assert digest not in database_bytes(live)
    checkpoint(live)
    assert digest not in database_bytes(live)
    assert live.client(other).get("/tasks").status_code == 200


def test_revoked_digests_and_deleted_secrets_are_not_readable_on_either_database(
    store: Store,
) -> None:
    _, key = store.api_keys.create(user_id="alice", role="operator")
    record = store.api_keys.authenticate(key)
    assert record is not None
    hook = store.webhooks.create(user_id="alice", url="https://h.example/x", secret="whsec_gone")
    store.api_keys.revoke(record.id)
    store.webhooks.delete(hook.id)
    with store.engine.connect() as connection:
        digests = connection.execute(sa.text("SELECT key_hash FROM api_keys")).scalars().all()
        secrets = connection.execute(sa.text("SELECT secret FROM webhooks")).scalars().all()
    assert hash_key(key) not in digests and len(digests) == 1  # the row stays, listed
    assert secrets == []
    assert [k.revoked_at is not None for k in store.api_keys.list()] == [True]
    assert store.api_keys.authenticate(key) is None
