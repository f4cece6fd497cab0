"""Tenants: who owns a task, and the names a tenant may have.

A tenant is an API user (the `user_id` of an API key) or the local user of the CLI.
A user id names the tenant's own directory under a workspace root, so it is limited to
a character set that is safe as one path component and in logs: an ASCII letter or
digit first, then letters, digits, `.`, `_` or `-`, at most 64 characters.
"""

from __future__ import annotations

import hashlib
import re

from intelligent_office.errors import UserError

__all__ = ["USER_ID_PATTERN", "is_valid_user_id", "tenant_directory_name", "validate_user_id"]

USER_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def is_valid_user_id(user_id: str) -> bool:
    """Whether `user_id` is in the documented character set."""
    return USER_ID_PATTERN.fullmatch(user_id) is not None


def validate_user_id(user_id: str) -> str:
    """`user_id` unchanged when it is a valid tenant name.

    Raises:
        UserError: the name is empty, too long or has a character outside the set.
    """
    if not is_valid_user_id(user_id):
        raise UserError(
            f"user id {user_id!r} is not allowed: use 1 to 64 ASCII letters, digits, '.', '_'"
            " or '-', starting with a letter or digit"
        )
    return user_id


def tenant_directory_name(user_id: str) -> str:
    """The one path component that names the tenant's directory.

    A valid user id is its own name. A user id from before the character set was enforced
    (an old API key) gets `_user-<digest>`: still one private directory per tenant, and a
    leading `_` can never be a valid user id, so the two forms never collide.
    """
    if is_valid_user_id(user_id):
        return user_id
    return "_user-" + hashlib.sha256(user_id.encode("utf-8", "surrogatepass")).hexdigest()[:32]
