"""API keys: created for a user and a role, stored only as a SHA-256 of the key.

A key is `office_<32 url-safe random chars>`, shown once at creation. Lookups hash the
presented key and compare digests, so the table never holds a usable secret; a revoked
key's digest is overwritten, so not even that stays behind.

A new key's user id must be in the tenants' character set (`tenants.validate_user_id`).
Keys made before that rule keep working whatever their user id: nobody is locked out.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Engine, insert, select, update

from intelligent_office.errors import UserError
from intelligent_office.store.erasure import erase_old_versions
from intelligent_office.store.records import ApiKeyRecord
from intelligent_office.store.tables import ApiKeyRow
from intelligent_office.tenants import validate_user_id

__all__ = ["ROLES", "ApiKeyRepository", "Role", "hash_key", "revoked_digest"]

Role = Literal["admin", "operator", "viewer"]
ROLES: tuple[Role, ...] = ("admin", "operator", "viewer")
_PREFIX = "office_"


def hash_key(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def revoked_digest() -> str:
    """What a revoked key's digest is overwritten with: unique, and matches no key."""
    return "revoked-" + secrets.token_hex(16)


def _record(row: Any) -> ApiKeyRecord:
    # A Core row (connection.execute) carries the columns as attributes, as a table row does.
    return ApiKeyRecord(
        id=row.id,
        prefix=row.prefix,
        user_id=row.user_id,
        role=row.role,
        name=row.name,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


class ApiKeyRepository:
    """Create, look up, list and revoke API keys."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def create(self, *, user_id: str, role: str, name: str = "") -> tuple[ApiKeyRecord, str]:
        """A new key for the user: its record and the key itself (shown only now).

        Raises:
            UserError: an empty user, a user id outside the tenants' character set, or an
                unknown role.
        """
        if not user_id.strip():
            raise UserError("an API key needs a user: pass --user NAME")
        validate_user_id(user_id.strip())
        if role not in ROLES:
            raise UserError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
        key = _PREFIX + secrets.token_urlsafe(24)
        values = {
            "id": uuid.uuid4().hex,
            "key_hash": hash_key(key),
            "prefix": key[: len(_PREFIX) + 4],
            "user_id": user_id.strip(),
            "role": role,
            "name": name,
            "created_at": datetime.now(UTC),
        }
        with self._engine.begin() as connection:
            connection.execute(insert(ApiKeyRow).values(**values))
            row = connection.execute(select(ApiKeyRow).where(ApiKeyRow.id == values["id"])).one()
        return _record(row), key

    def authenticate(self, key: str) -> ApiKeyRecord | None:
        """The live key matching `key`, or None (unknown or revoked)."""
        if not key.startswith(_PREFIX):
            return None
        query = select(ApiKeyRow).where(
            ApiKeyRow.key_hash == hash_key(key), ApiKeyRow.revoked_at.is_(None)
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).one_or_none()
        return _record(row) if row is not None else None

    def touch(self, key_id: str) -> None:
        """Record that the key was just used."""
        with self._engine.begin() as connection:
            connection.execute(
                update(ApiKeyRow)
                .where(ApiKeyRow.id == key_id)
                .values(last_used_at=datetime.now(UTC))
            )

    def list(self, *, user_id: str | None = None) -> list[ApiKeyRecord]:
        """Keys, newest first; revoked keys included."""
        query = select(ApiKeyRow).order_by(ApiKeyRow.created_at.desc())
        if user_id is not None:
            query = query.where(ApiKeyRow.user_id == user_id)
        with self._engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]

    def revoke(self, key_id: str) -> ApiKeyRecord:
        """Revoke a key; it stops working at once.

        Raises:
            UserError: no such key.
        """
        with self._engine.begin() as connection:
            row = connection.execute(select(ApiKeyRow).where(ApiKeyRow.id == key_id)).one_or_none()
            if row is None:
                raise UserError(f"no API key {key_id}: see `office keys list`")
            # The digest is overwritten (unique, and never a SHA-256 hex digest), so the
            # file keeps nothing a guess at the key could be checked against.
            connection.execute(
                update(ApiKeyRow)
                .where(ApiKeyRow.id == key_id)
                .values(
                    revoked_at=row.revoked_at or datetime.now(UTC),
                    key_hash=revoked_digest(),
                )
            )
            row = connection.execute(select(ApiKeyRow).where(ApiKeyRow.id == key_id)).one()
        erase_old_versions(self._engine)
        return _record(row)
