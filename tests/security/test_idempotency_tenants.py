"""Idempotency keys per tenant, on a real server with two tenants and three roles: the user
and the key are two columns, so user `a` sending `b:k1` never meets user `a:b`'s `k1`, and
a 409 only ever names the caller's own task. New user ids are in a documented character
set; keys made for an odd user id before that rule keep working."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx2 as httpx
import pytest
import sqlalchemy as sa

from intelligent_office.errors import UserError
from intelligent_office.store import Store
from intelligent_office.store.api_keys import hash_key
from intelligent_office.store.tables import ApiKeyRow
from tests.api.api_helpers import WRITE_TASK, settings_for, workspace_root
from tests.api.conftest import LiveServer, running


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    settings = settings_for(tmp_path, workspace_root(tmp_path), webhooks={"enabled": False})
    with running(settings) as server:
        yield server


def legacy_key(live: LiveServer, user_id: str, role: str = "operator") -> str:
    """A key stored as today's main stores one, for a user id the new rule refuses."""
    key = "office_" + secrets.token_urlsafe(24)
    with live.store.engine.begin() as connection:
        connection.execute(
            sa.insert(ApiKeyRow).values(
                id=uuid.uuid4().hex,
                key_hash=hash_key(key),
                prefix=key[:11],
                user_id=user_id,
                role=role,
                name="made before the user id rule",
                created_at=datetime.now(UTC),
            )
        )
    return key


def submit(client: httpx.Client, key: str, description: str) -> httpx.Response:
    return client.post(
        "/tasks", json={"description": description}, headers={"Idempotency-Key": key}
    )


def test_a_key_with_a_colon_never_reaches_another_tenants_task(live: LiveServer) -> None:
    victim = live.client(legacy_key(live, "a:b"))  # an old key: still works
    attacker = live.client(live.key("a", "operator"))
    private = f"{WRITE_TASK} (a:b's private notes)"
    first = submit(victim, "k1", private)
    assert first.status_code == 202, first.text
    victims_task = first.json()["task_id"]

    attack = submit(attacker, "b:k1", WRITE_TASK)
    assert attack.status_code == 202, attack.text  # a new task of a's own
    assert (attack.json()["user_id"], attack.json()["created"]) == ("a", True)
    assert victims_task not in attack.text
    # Even the victim's exact request finds nothing of theirs: it is a's key b:k1 reused.
    guess = submit(attacker, "b:k1", private)
    assert guess.status_code == 409, guess.text
    assert attack.json()["task_id"] in guess.text and victims_task not in guess.text
    # The victim still finds their own task with their own key.
    again = submit(victim, "k1", private)
    assert (again.status_code, again.json()["task_id"]) == (200, victims_task)


def test_a_reused_key_is_a_409_naming_only_the_callers_own_task(live: LiveServer) -> None:
    alice = live.client(live.key("alice", "operator"))
    bob = live.client(live.key("bob", "operator"))
    admin = live.client(live.key("root", "admin"))
    viewer = live.client(live.key("vera", "viewer"))
    mine = submit(alice, "report", WRITE_TASK).json()
    theirs = submit(bob, "report", f"{WRITE_TASK} for bob").json()
    admins = submit(admin, "report", WRITE_TASK).json()
    assert len({mine["task_id"], theirs["task_id"], admins["task_id"]}) == 3
    assert (theirs["user_id"], admins["user_id"]) == ("bob", "root")

    again = submit(alice, "report", WRITE_TASK)
    assert (again.status_code, again.json()["task_id"]) == (200, mine["task_id"])
    conflict = submit(alice, "report", "Write something else to notes.md")
    assert conflict.status_code == 409
    detail = conflict.json()["detail"]
    assert mine["task_id"] in detail
    assert theirs["task_id"] not in detail and admins["task_id"] not in detail
    bobs_conflict = submit(bob, "report", WRITE_TASK).json()["detail"]
    assert theirs["task_id"] in bobs_conflict and mine["task_id"] not in bobs_conflict
    assert submit(viewer, "report", WRITE_TASK).status_code == 403  # viewers only read
    assert len(live.store.tasks.recent()) == 3


def test_new_keys_need_a_user_id_in_the_documented_set(store: Store) -> None:
    for user_id in ["a:b", "../alice", "bob smith", "é", "-x", "x" * 65, "a\x00", "a/b"]:
        with pytest.raises(UserError, match="is not allowed"):
            store.api_keys.create(user_id=user_id, role="operator")
    assert store.api_keys.list() == []
    for user_id in ["alice", "a.b-c_1", "B0b", "x" * 64]:
        record, _ = store.api_keys.create(user_id=user_id, role="viewer")
        assert record.user_id == user_id


def test_office_keys_create_refuses_an_odd_user_id_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "OFFICE_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "intelligent_office.cli", "keys", "create"]
    refused = subprocess.run(
        [*command, "--user", "a:b"], env=env, capture_output=True, text=True, timeout=120
    )
    assert refused.returncode != 0
    assert "user id 'a:b' is not allowed" in refused.stderr + refused.stdout
    assert "Traceback" not in refused.stderr
    made = subprocess.run(
        [*command, "--user", "a.b-c_1"], env=env, capture_output=True, text=True, timeout=120
    )
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip().splitlines()[-1].startswith("office_")
