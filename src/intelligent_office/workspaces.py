"""Workspaces: each tenant's own directory under a workspace root, and named shared ones.

A tenant (an API user) works in `<root>/<user id>/`, created on first use with mode 0700.
The `workspace` of a request resolves (symlinks followed) inside that directory only:
relative paths start there, and `..`, absolute paths elsewhere and symlinks into another
tenant's directory are refused. A directory several tenants may use is declared in the
settings (`shared_workspaces`), lives at `<first root>/_shared/<name>/` (a leading `_`
is not allowed in a user id, so it never collides with a tenant) and is requested as
`@name` or `@name/sub/dir`.

The tools of a task are confined to its workspace (file tools open beneath it, the
sandbox mounts only it), so a tenant's tools never reach another tenant's files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, field_validator

from intelligent_office.errors import UserError
from intelligent_office.safe_text import excerpt
from intelligent_office.state_files import refuse_state_files
from intelligent_office.tenants import USER_ID_PATTERN, tenant_directory_name, validate_user_id

if TYPE_CHECKING:
    from intelligent_office.settings import Settings

__all__ = [
    "SHARED_DIRECTORY",
    "SHARED_PREFIX",
    "SharedWorkspace",
    "resolve_tenant_workspace",
    "shared_directory",
    "tenant_directory",
    "visible_workspaces",
]

SHARED_DIRECTORY = "_shared"
"""The folder of a root that holds the shared workspaces."""
SHARED_PREFIX = "@"
"""A requested workspace starting with this names a shared workspace."""

_SHOWN_PATH = 200


def _shown(requested: str) -> str:
    """A requested path as an error quotes it: whole when it is a path, not 4 KB of one."""
    return repr(excerpt(requested, _SHOWN_PATH))


class SharedWorkspace(BaseModel):
    """A workspace several tenants may use: `<first root>/_shared/<name>/`, asked for as `@name`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(
        pattern=USER_ID_PATTERN.pattern,
        description="The workspace's name (the character set of a user id); request it as @name.",
    )
    tenants: list[str] = Field(
        min_length=1, description="The user ids that may use it; nobody else can."
    )

    @field_validator("tenants")
    @classmethod
    def _valid_tenants(cls, tenants: list[str]) -> list[str]:
        return [validate_user_id(tenant) for tenant in tenants]


def _private_directory(path: Path) -> Path:
    """`path` created (with its parents) if missing; a new one gets mode 0700."""
    if not path.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:  # another request made it meanwhile
            pass
        else:
            os.chmod(path, 0o700)  # whatever the umask
    return path.resolve()


def tenant_directory(root: Path, tenant: str, *, create: bool = True) -> Path:
    """The tenant's own directory under `root` (created 0700 on first use unless not `create`).

    Named by `tenant_directory_name`, so a user id from an old key still gets its own.
    """
    path = root.expanduser().resolve() / tenant_directory_name(tenant)
    return _private_directory(path) if create else path.resolve()


def shared_directory(settings: Settings, name: str, *, create: bool = True) -> Path:
    """The directory of the shared workspace `name` under the first workspace root."""
    path = settings.workspace_roots[0].expanduser().resolve() / SHARED_DIRECTORY / name
    return _private_directory(path) if create else path.resolve()


def _shared_with(settings: Settings, tenant: str) -> list[SharedWorkspace]:
    return [shared for shared in settings.shared_workspaces if tenant in shared.tenants]


def visible_workspaces(settings: Settings, tenant: str) -> list[str]:
    """What the tenant may ask for: its own directory, then `@name` of each shared workspace."""
    own = tenant_directory(settings.workspace_roots[0], tenant, create=False)
    return [str(own), *(SHARED_PREFIX + shared.name for shared in _shared_with(settings, tenant))]


def _requested_path(settings: Settings, tenant: str, requested: str, own: Path) -> Path:
    """The path the request names, before resolution: `@name/...`, relative or absolute."""
    if requested.startswith(SHARED_PREFIX):
        name, _, rest = requested.removeprefix(SHARED_PREFIX).partition("/")
        if name not in {shared.name for shared in _shared_with(settings, tenant)}:
            raise UserError(
                f"workspace {_shown(requested)}: no shared workspace {SHARED_PREFIX}{name}"
                f" is open to user {tenant}; an admin lists the tenants of each in"
                " shared_workspaces"
            )
        return shared_directory(settings, name) / rest
    wanted = Path(requested).expanduser()
    return wanted if wanted.is_absolute() else own / wanted


def resolve_tenant_workspace(settings: Settings, tenant: str, requested: str | None) -> Path:
    """The directory a task of `tenant` works in: `requested` resolved inside what it may use.

    None or "" is the tenant's own directory under the first root. A relative path starts
    there; an absolute one must lie in the tenant's directory under some root, or in a
    shared workspace listing the tenant; `@name[/sub]` names a shared workspace.

    Raises:
        UserError: the path leaves what the tenant may use, is not a directory, or would
            hold the service's own files.
    """
    own = tenant_directory(settings.workspace_roots[0], tenant)
    if not requested:
        refuse_state_files(settings, own)
        return own
    try:
        resolved = _requested_path(settings, tenant, requested, own).resolve()
    except (OSError, ValueError, RuntimeError):  # NUL bytes, symlink loops
        raise UserError(f"workspace {_shown(requested)} is not a usable path") from None
    allowed = [tenant_directory(root, tenant, create=False) for root in settings.workspace_roots]
    allowed += [
        shared_directory(settings, shared.name, create=False)
        for shared in _shared_with(settings, tenant)
    ]
    if not any(resolved.is_relative_to(base) for base in allowed):
        raise UserError(
            f"workspace {_shown(requested)} is outside the directory of user {tenant} ({own}):"
            f" pass a path inside it (relative paths start there), {SHARED_PREFIX}name for a"
            " shared workspace, or omit it for your own directory"
        )
    if not resolved.is_dir():
        raise UserError(
            f"workspace {_shown(requested)} is not a directory: create it inside {own} first"
        )
    refuse_state_files(settings, resolved)
    return resolved
