"""Nothing already stored is lost: a database as today's main makes it (schema revision
0008, idempotency keys stored as `user:key`, tasks in the old shared `<home>/workspace`)
is upgraded in place, on SQLite and PostgreSQL, and every task stays readable by its
owner, every key is found in its owner's namespace, and the `a` + `b:k1` / `a:b` + `k1`
collision becomes two tasks."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from intelligent_office.api.schemas import TaskRequest
from intelligent_office.api.submission import request_hash
from intelligent_office.models import Task
from intelligent_office.office.workflow import OFFICE_WORKFLOW
from intelligent_office.settings import load_settings
from intelligent_office.store import RunStatus, Store
from intelligent_office.store.api_keys import hash_key
from intelligent_office.store.db import MIGRATIONS, connect
from intelligent_office.store.tables import ApiKeyRow
from tests.api.conftest import running

MAIN_REVISION = "0008"
"""The newest revision today's main has."""


@dataclass(frozen=True)
class OldTask:
    """A task as main stored it, and what its owner sent."""

    task_id: str
    user_id: str
    description: str
    sent_key: str | None
    """The Idempotency-Key header as the user sent it (None: no key)."""
    stored_key: str | None
    """The column's value on main: `user:key` from the API, raw from the library."""


def old_tasks(home: Path) -> list[OldTask]:
    return [
        OldTask(uuid.uuid4().hex, "alice", "Write alice's report", "report", "alice:report"),
        OldTask(uuid.uuid4().hex, "a:b", "a:b's private notes", "k1", "a:b:k1"),
        OldTask(uuid.uuid4().hex, "a", "a's own task", "other", "a:other"),
        OldTask(uuid.uuid4().hex, "bob", "bob's task with a colon key", "x:y", "bob:x:y"),
        OldTask(uuid.uuid4().hex, "bob", "bob's task without a key", None, None),
        OldTask(uuid.uuid4().hex, "local", "nightly run from the library", "nightly", "nightly"),
    ]


def legacy_key(store: Store, user_id: str) -> str:
    """An API key row as main wrote it (any user id was accepted then)."""
    key = "office_" + secrets.token_urlsafe(24)
    with store.engine.begin() as connection:
        connection.execute(
            sa.insert(ApiKeyRow).values(
                id=uuid.uuid4().hex,
                key_hash=hash_key(key),
                prefix=key[:11],
                user_id=user_id,
                role="operator",
                name="",
                created_at=datetime.now(UTC),
            )
        )
    return key


def build_as_main(database_url: str, home: Path) -> tuple[list[OldTask], dict[str, str]]:
    """Schema 0008 and rows as main's API stored them; the tasks and each user's key."""
    engine = connect(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, MAIN_REVISION)
    old = Store(engine)  # the repositories on the old schema, without migrating it
    shared = home / "workspace"
    shared.mkdir(parents=True)
    tasks = old_tasks(home)
    for task in tasks:
        body = Task(
            task_id=task.task_id,
            description=task.description,
            user_id=task.user_id,
            context={"workspace": str(shared)},
            idempotency_key=task.stored_key,
        ).model_dump(mode="json")
        old.tasks.create(
            task_id=task.task_id,
            user_id=task.user_id,
            description=task.description,
            body=body,
            idempotency_key=task.stored_key,
            request_hash=request_hash(TaskRequest(description=task.description)),
        )
        run_id = uuid.uuid4().hex
        old.runs.create(run_id=run_id, task_id=task.task_id, workflow=OFFICE_WORKFLOW, input={})
        old.runs.finish(run_id, None, RunStatus.COMPLETED, result={"answer": task.description})
        old.tasks.set_status(task.task_id, "completed")
        for kind in ("task.submitted", "task.completed"):
            old.events.append(
                task_id=task.task_id, run_id=run_id, type=kind, payload={}, dedup_key=kind
            )
    keys = {user: legacy_key(old, user) for user in ("alice", "a:b", "a", "bob")}
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT idempotency_key FROM tasks")).scalars().all()
    assert sorted(k for k in stored if k) == sorted(t.stored_key for t in tasks if t.stored_key)
    engine.dispose()
    return tasks, keys


def test_a_database_made_by_main_upgrades_with_every_task_readable(
    database_url: str, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    tasks, keys = build_as_main(database_url, home)

    store = Store.open(database_url)  # migrates to head
    try:
        for task in tasks:
            record = store.tasks.get(task.task_id)
            assert record is not None, task
            assert (record.user_id, record.description, record.status) == (
                task.user_id,
                task.description,
                "completed",
            )
            assert record.body["context"]["workspace"] == str(home / "workspace")
            assert len(store.events.read(task.task_id)) == 2
            if task.sent_key is not None:
                found = store.tasks.by_idempotency_key(task.user_id, task.sent_key)
                assert found is not None and found.task_id == task.task_id, task
                assert record.idempotency_key == record.body["idempotency_key"] == task.sent_key
        # The old spelling of a's key b:k1 was a:b's task; now it is nobody's.
        assert store.tasks.by_idempotency_key("a", "b:k1") is None
    finally:
        store.close()

    settings = load_settings(
        None, home=home, database_url=database_url, workspace_roots=[home / "workspace"]
    )
    with running(settings) as live:
        for task in tasks:
            if task.user_id not in keys:
                continue
            owner = live.client(keys[task.user_id])
            answer = owner.get(f"/tasks/{task.task_id}")
            assert answer.status_code == 200, answer.text
            assert answer.json()["description"] == task.description
            for other, key in keys.items():
                if other != task.user_id:
                    hidden = live.client(key).get(f"/tasks/{task.task_id}")
                    assert hidden.status_code == 404
        victim = next(t for t in tasks if t.user_id == "a:b")
        # a:b sends its key again: the same task, as before the upgrade.
        again = live.client(keys["a:b"]).post(
            "/tasks", json={"description": victim.description}, headers={"Idempotency-Key": "k1"}
        )
        assert (again.status_code, again.json()["task_id"]) == (200, victim.task_id)
        # a sends b:k1, once the same string: now a new task of a's own.
        attack = live.client(keys["a"]).post(
            "/tasks",
            json={"description": "Write notes.md"},
            headers={"Idempotency-Key": "b:k1"},
        )
        assert attack.status_code == 202, attack.text
        assert attack.json()["task_id"] != victim.task_id
        assert attack.json()["user_id"] == "a"
