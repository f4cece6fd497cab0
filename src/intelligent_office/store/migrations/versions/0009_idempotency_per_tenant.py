"""Idempotency keys per tenant: (user_id, idempotency_key) unique, the key without a prefix

Until now the API stored a key as `user:key` in one globally unique column, and a user
id may contain `:`, so user `a` sending `b:k1` found user `a:b`'s task `k1`. Each
stored key loses exactly its owner's `user_id:` prefix (in the column and in the task
body), and the unique constraint moves to the pair. A key stored without its owner's
prefix (a task submitted through the library) is kept as it was, and so is one whose
stripped form the same user already holds.

Keys revoked before this revision lose their stored digest too, as a revocation now
does (`ApiKeyRepository.revoke`).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 09:00:00
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_PAIR = "uq_tasks_user_idempotency_key"
_TASKS = sa.table(
    "tasks",
    sa.column("task_id", sa.String()),
    sa.column("user_id", sa.String()),
    sa.column("idempotency_key", sa.String()),
    sa.column("body", sa.JSON()),
)
_KEYS = sa.table(
    "api_keys",
    sa.column("id", sa.String()),
    sa.column("key_hash", sa.String()),
    sa.column("revoked_at", sa.String()),
)


def upgrade() -> None:
    _drop_single_key_constraint()
    _split_keys(op.get_bind())
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.create_unique_constraint(_PAIR, ["user_id", "idempotency_key"])
    _forget_revoked_digests(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.drop_constraint(_PAIR, type_="unique")
    bind = op.get_bind()
    keyed = sa.select(_TASKS.c.task_id, _TASKS.c.user_id, _TASKS.c.idempotency_key).where(
        _TASKS.c.idempotency_key.is_not(None)
    )
    for task_id, user_id, key in bind.execute(keyed).all():
        bind.execute(
            sa.update(_TASKS)
            .where(_TASKS.c.task_id == task_id)
            .values(idempotency_key=f"{user_id}:{key}")
        )
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.create_unique_constraint("uq_tasks_idempotency_key", ["idempotency_key"])


def _drop_single_key_constraint() -> None:
    """Drop the unique constraint on the key alone, whatever the database named it."""
    bind = op.get_bind()
    unique = [
        constraint
        for constraint in sa.inspect(bind).get_unique_constraints("tasks")
        if constraint["column_names"] == ["idempotency_key"]
    ]
    if bind.dialect.name == "sqlite":
        # SQLite's constraint has no name; batch mode rebuilds the table, and the naming
        # convention gives the reflected constraint one to drop it by.
        convention = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
        # The runs' and events' references to the old table are not checked meanwhile:
        # `migrate` runs SQLite's migrations with foreign keys off, and checks them after.
        with op.batch_alter_table(
            "tasks", recreate="always", naming_convention=convention
        ) as batch_op:
            if unique:
                batch_op.drop_constraint("uq_tasks_idempotency_key", type_="unique")
        return
    for constraint in unique:
        if constraint["name"]:  # PostgreSQL names every constraint (tasks_idempotency_key_key)
            op.drop_constraint(constraint["name"], "tasks", type_="unique")


def _split_keys(bind: sa.engine.Connection) -> None:
    """Strip each key's `user_id:` prefix, in the column and in the stored task body."""
    keyed = sa.select(
        _TASKS.c.task_id, _TASKS.c.user_id, _TASKS.c.idempotency_key, _TASKS.c.body
    ).where(_TASKS.c.idempotency_key.is_not(None))
    rows = {task_id: (user_id, key, body) for task_id, user_id, key, body in bind.execute(keyed)}
    target = {task_id: _unprefixed(user_id, key) for task_id, (user_id, key, _) in rows.items()}
    while True:  # a stripped key the same user also holds unprefixed keeps its old form
        owners: dict[tuple[str, str], list[str]] = {}
        for task_id, key in target.items():
            owners.setdefault((rows[task_id][0], key), []).append(task_id)
        clashing = [
            task_id
            for group in owners.values()
            if len(group) > 1
            for task_id in group
            if target[task_id] != rows[task_id][1]
        ]
        if not clashing:
            break
        for task_id in clashing:
            target[task_id] = rows[task_id][1]
    for task_id, key in target.items():
        if key != rows[task_id][1]:
            bind.execute(
                sa.update(_TASKS)
                .where(_TASKS.c.task_id == task_id)
                .values(idempotency_key=key, body=_with_key(rows[task_id][2], key))
            )


def _unprefixed(user_id: str, key: str) -> str:
    """`key` without exactly its owner's `user_id:` prefix (unchanged without one)."""
    prefix = f"{user_id}:"
    return key[len(prefix) :] if key.startswith(prefix) and len(key) > len(prefix) else key


def _forget_revoked_digests(bind: sa.engine.Connection) -> None:
    """Overwrite the digest of every key revoked so far (unique, and matches no key)."""
    revoked = sa.select(_KEYS.c.id).where(
        _KEYS.c.revoked_at.is_not(None), ~_KEYS.c.key_hash.startswith("revoked-")
    )
    for (key_id,) in bind.execute(revoked).all():
        bind.execute(
            sa.update(_KEYS)
            .where(_KEYS.c.id == key_id)
            .values(key_hash="revoked-" + secrets.token_hex(16))
        )


def _with_key(body: Any, key: str) -> Any:
    """The stored task body with its idempotency key replaced (the key a resubmit uses)."""
    document = json.loads(body) if isinstance(body, str) else body
    if isinstance(document, dict) and "idempotency_key" in document:
        return {**document, "idempotency_key": key}
    return document
